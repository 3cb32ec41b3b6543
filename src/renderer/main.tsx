// The page's entry point: starts the app connection at once, then renders the UI.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { connectToApp } from './app-transport';
import { Root } from './root';
import './styles.css';

// Before rendering: in Electron the preload posts the port once, and it must find a listener.
const connecting = connectToApp();

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element.');
createRoot(container).render(
  <StrictMode>
    <Root connecting={connecting} />
  </StrictMode>,
);
