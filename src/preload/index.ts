import { ipcRenderer } from 'electron'; console.log(ipcRenderer);
