// The in-app toasts (Fluent UI's Toaster) that stand in for desktop notifications when the browser
// may not show them: the same title and text, and Open to go where the notification leads.
import {
  Link,
  Toast,
  ToastBody,
  ToastTitle,
  Toaster,
  useId,
  useToastController,
} from '@fluentui/react-components';
import { useCallback } from 'react';
import type { AppNotification, AppTarget } from '../../common/notification-models';

export function useNotificationToaster(open: (target: AppTarget) => void) {
  const toasterId = useId('notifications');
  const { dispatchToast, dismissToast } = useToastController(toasterId);
  const toast = useCallback(
    (n: AppNotification) => {
      dispatchToast(
        <Toast data-testid="notification-toast" data-kind={n.kind}>
          <ToastTitle
            action={
              <Link
                onClick={() => {
                  dismissToast(n.id);
                  open(n.target);
                }}
              >
                Open
              </Link>
            }
          >
            {n.title}
          </ToastTitle>
          <ToastBody>{n.body}</ToastBody>
        </Toast>,
        // The id dedupes: one toast per event, whatever arrives twice.
        { toastId: n.id, intent: n.severity, timeout: n.severity === 'error' ? -1 : 8000 },
      );
    },
    [dispatchToast, dismissToast, open],
  );
  const toaster = <Toaster toasterId={toasterId} position="bottom-end" pauseOnHover />;
  return { toast, toaster };
}
