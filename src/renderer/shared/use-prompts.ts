// Questions waiting for the user (host keys, key passphrases): `prompts.list`, then events.
import { useEffect, useState } from 'react';
import type { Prompt } from '../../common/models';
import { useRpc } from './rpc-context';

/** Open prompts, oldest first. */
export function usePrompts(): Prompt[] {
  const rpc = useRpc();
  const [prompts, setPrompts] = useState<Prompt[]>([]);
  useEffect(() => {
    let live = true;
    const closed = new Set<string>();
    const opened = rpc.on('prompts.onDidOpen', (prompt) => {
      // The same id opened again is an update (e.g. a passphrase asked again with `retry`).
      setPrompts((old) =>
        old.some((p) => p.id === prompt.id)
          ? old.map((p) => (p.id === prompt.id ? prompt : p))
          : [...old, prompt],
      );
    });
    const gone = rpc.on('prompts.onDidClose', ({ promptId }) => {
      closed.add(promptId);
      setPrompts((old) => old.filter((p) => p.id !== promptId));
    });
    // A prompt opened before this page loaded (e.g. a connect from the tray) still needs an answer.
    rpc.call('prompts.list', {}).then(
      (list) => {
        if (!live) return;
        setPrompts((old) => {
          const fresh = list.filter((p) => !closed.has(p.id) && !old.some((o) => o.id === p.id));
          return fresh.length ? [...fresh, ...old] : old;
        });
      },
      () => {},
    );
    return () => {
      live = false;
      opened.dispose();
      gone.dispose();
    };
  }, [rpc]);
  return prompts;
}
