// The create-pool wizard: Basics (name, subscription, resource group, region, or the article's
// parameters file) → Machines → Access → Storage → Review (warnings and the exact `az` commands),
// then Create, after which it follows the deployment until it ends or the admin closes it (the
// deployment keeps running; the operations panel keeps showing it). Each Next asks the app to
// validate what is filled in so far, so Azure's naming rules speak at the step they belong to.
//
// Test ids: create-pool-open, create-pool-dialog, wizard-step-<step>, wizard-next, wizard-back,
// wizard-create, wizard-close, wizard-cancel, wizard-<field> for inputs (wizard-poolName, …),
// wizard-import-file, wizard-az, wizard-operation.
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  MessageBar,
  MessageBarBody,
  Spinner,
} from '@fluentui/react-components';
import { Add16Regular } from '@fluentui/react-icons';
import type { ReactNode } from 'react';
import type { Operations } from '../operations/use-operations';
import { AccessStep } from './access-step';
import { BasicsStep } from './basics-step';
import { useCreatePool } from './create-pool-model';
import { DeploymentStep } from './deployment-step';
import { MachinesStep } from './machines-step';
import { STEP_LABELS, WIZARD_STEPS, unshownErrors } from './pool-draft';
import { ReviewStep } from './review-step';
import { StorageStep } from './storage-step';
import { useWizardStyles } from './wizard-styles';

export interface CreatePoolWizardProps {
  open: boolean;
  onClose: () => void;
  operations: Operations;
}

export function CreatePoolWizard({ open, onClose, operations }: CreatePoolWizardProps) {
  const styles = useWizardStyles();
  const model = useCreatePool({ open, onClose, operations });
  const {
    draft,
    step,
    index,
    stepErrors,
    formError,
    busy,
    listError,
    review,
    deploying,
    operation,
    running,
    setStep,
    next,
    create,
    backToSettings,
    close,
  } = model;

  let body: ReactNode;
  if (deploying) body = <DeploymentStep model={model} />;
  else if (step === 'basics') body = <BasicsStep model={model} />;
  else if (step === 'machines') body = <MachinesStep model={model} />;
  else if (step === 'access') body = <AccessStep model={model} />;
  else if (step === 'storage') body = <StorageStep model={model} />;
  else body = <ReviewStep model={model} />;

  return (
    <Dialog open={open} onOpenChange={(_, d) => !d.open && close()}>
      <DialogSurface
        className={styles.surface}
        data-testid="create-pool-dialog"
        aria-describedby={undefined}
      >
        <form
          // The app validates (with Azure's rules, and says what to do); the browser's bubbles would not.
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            if (deploying) return;
            if (step === 'review') void create();
            else void next();
          }}
        >
          <DialogBody>
            <DialogTitle>{deploying ? `Creating ${draft.poolName}` : 'Create a pool'}</DialogTitle>
            <DialogContent className={styles.content}>
              {!deploying && (
                <ol className={styles.steps} aria-label="Steps">
                  {WIZARD_STEPS.map((s, i) => (
                    <li
                      key={s}
                      className={`${styles.step} ${s === step ? styles.current : ''}`}
                      aria-current={s === step ? 'step' : undefined}
                      data-testid={`wizard-step-${s}`}
                    >
                      {i + 1}. {STEP_LABELS[s]}
                      {stepErrors.get(s) ? ` (${stepErrors.get(s)} to fix)` : ''}
                    </li>
                  ))}
                </ol>
              )}
              {listError && (
                <MessageBar intent="error" layout="multiline">
                  <MessageBarBody>{listError}</MessageBarBody>
                </MessageBar>
              )}
              {body}
              {!deploying && unshownErrors(model.errors, step).length > 0 && (
                <MessageBar intent="error" layout="multiline" data-testid="wizard-other-errors">
                  <MessageBarBody>
                    {unshownErrors(model.errors, step).map((line) => (
                      <div key={line}>{line}</div>
                    ))}
                  </MessageBarBody>
                </MessageBar>
              )}
              {formError && (
                <MessageBar intent="error" layout="multiline">
                  <MessageBarBody>{formError}</MessageBarBody>
                </MessageBar>
              )}
            </DialogContent>
            <DialogActions>
              {deploying ? (
                <>
                  {operation?.status === 'failed' && (
                    <Button onClick={backToSettings}>Back to the settings</Button>
                  )}
                  <Button appearance="primary" data-testid="wizard-close" onClick={close}>
                    {running ? 'Close (keeps running)' : 'Done'}
                  </Button>
                </>
              ) : (
                <>
                  <Button
                    disabled={index === 0 || busy !== undefined}
                    data-testid="wizard-back"
                    onClick={() => setStep(WIZARD_STEPS[index - 1]!)}
                  >
                    Back
                  </Button>
                  {step === 'review' ? (
                    <Button
                      type="submit"
                      appearance="primary"
                      icon={busy === 'create' ? <Spinner size="extra-tiny" /> : <Add16Regular />}
                      disabled={busy !== undefined || !review}
                      data-testid="wizard-create"
                    >
                      Create pool
                    </Button>
                  ) : (
                    <Button
                      type="submit"
                      appearance="primary"
                      icon={busy === 'next' ? <Spinner size="extra-tiny" /> : undefined}
                      disabled={busy !== undefined}
                      data-testid="wizard-next"
                    >
                      Next
                    </Button>
                  )}
                  <Button disabled={busy === 'create'} data-testid="wizard-cancel" onClick={close}>
                    Cancel
                  </Button>
                </>
              )}
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
