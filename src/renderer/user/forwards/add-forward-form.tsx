// The "Add forward" form: remote port (with presets), optional local port and label, checked here
// first and then by the app, each message next to its field.
import {
  Button,
  Dropdown,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Option,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useEffect, useRef, useState, type FormEvent, type Ref } from 'react';
import { RpcError } from '../../../common/errors';
import { unsafeTextMessage } from '../../../common/user-text';
import type { ConnectionInfo, ForwardInfo } from '../../../common/models';
import { useRpc } from '../../shared/rpc-context';
import { fieldErrors } from '../../shared/field-errors';
import { parsePort } from '../../shared/port';

const useStyles = makeStyles({
  form: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    padding: tokens.spacingHorizontalS,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground1,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  presets: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: tokens.spacingHorizontalXS,
  },
  presetLabel: { color: tokens.colorNeutralForeground3, marginRight: tokens.spacingHorizontalXS },
  ports: {
    display: 'grid',
    gridTemplateColumns: '1fr 1fr',
    columnGap: tokens.spacingHorizontalS,
    alignItems: 'start',
  },
  actions: { display: 'flex', gap: tokens.spacingHorizontalS },
  dropdown: { minWidth: 0 },
  // Fluent inputs have an intrinsic minimum width; in the two-column grid they must shrink.
  input: { minWidth: 0, width: '100%' },
});

/** Common data-science services and their usual ports. */
const PRESETS = [
  { label: 'TensorBoard', port: 6006 },
  { label: 'MLflow', port: 5000 },
  { label: 'Streamlit', port: 8501 },
  { label: 'Dash', port: 8050 },
] as const;

export interface AddForwardFormProps {
  /** Connections a forward can go over (connected ones). */
  connections: ConnectionInfo[];
  /** Preselected: the active tab's, or the one the menu asked for. */
  connectionId?: string;
  forwards: ForwardInfo[];
  /** Changes each time the form is asked for, to bring the focus back to the first field. */
  focusRequest: number;
  onDone: (added?: ForwardInfo) => void;
}

function connectionLabel(c: ConnectionInfo): string {
  return `${c.instanceName} (${c.user}@${c.host}:${c.port})`;
}

export function AddForwardForm(props: AddForwardFormProps) {
  const { connections, forwards } = props;
  const styles = useStyles();
  const rpc = useRpc();
  const [connectionId, setConnectionId] = useState(props.connectionId ?? connections[0]?.id);
  const [remote, setRemote] = useState('');
  const [local, setLocal] = useState('');
  const [label, setLabel] = useState('');
  // Field messages appear once the form was submitted (not while the first digit is typed).
  const [submitted, setSubmitted] = useState(false);
  const [serverFields, setServerFields] = useState<Record<string, string>>({});
  const [serverError, setServerError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const remoteRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (props.connectionId) setConnectionId(props.connectionId);
  }, [props.connectionId, props.focusRequest]);

  useEffect(() => {
    remoteRef.current?.focus();
  }, [props.focusRequest]);

  // The chosen connection went away (closed): fall back to another one.
  const chosen = connections.find((c) => c.id === connectionId) ?? connections[0];

  const remotePort = parsePort(remote, 'The remote port');
  const localPort = parsePort(local, 'The local port');
  const remoteError =
    remotePort.error ??
    (submitted && remotePort.value === undefined
      ? 'Enter the port the service listens on, on the instance (e.g. 6006 for TensorBoard).'
      : undefined) ??
    serverFields.remotePort;
  const taken =
    localPort.value !== undefined
      ? forwards.find((f) => f.localPort === localPort.value)
      : undefined;
  const localError =
    localPort.error ??
    (taken ? `127.0.0.1:${taken.localPort} already forwards ${taken.label}.` : undefined) ??
    serverFields.localPort;
  // Not an error: Windows allows it, and the app says so if this system refuses.
  const localWarning =
    !localError && localPort.value !== undefined && localPort.value < 1024
      ? 'Ports below 1024 usually need administrator rights; 1024 and above always work.'
      : undefined;
  const same =
    remotePort.value !== undefined && chosen
      ? forwards.find(
          (f) =>
            f.connectionId === chosen.id &&
            f.remotePort === remotePort.value &&
            f.remoteHost === '127.0.0.1',
        )
      : undefined;
  const labelError =
    label.length > 80
      ? 'Keep the label under 80 characters.'
      : (unsafeTextMessage('The label', label) ?? serverFields.label);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    setServerError(undefined);
    setServerFields({});
    if (!chosen) {
      setServerError('Connect to an instance first; a forward goes over its connection.');
      return;
    }
    if (remotePort.value === undefined || remotePort.error || localError || labelError) {
      remoteRef.current?.focus();
      return;
    }
    setBusy(true);
    rpc
      .call('forwards.add', {
        connectionId: chosen.id,
        remotePort: remotePort.value,
        ...(localPort.value !== undefined ? { localPort: localPort.value } : {}),
        ...(label.trim() ? { label: label.trim() } : {}),
      })
      .then(
        (added) => {
          setBusy(false);
          props.onDone(added);
        },
        (err: unknown) => {
          setBusy(false);
          const error = RpcError.from(err);
          const fields = fieldErrors(error);
          setServerFields(fields);
          // Field problems are shown at their fields; anything else (a port in use, a refused
          // forward) is said under the form.
          if (!Object.keys(fields).some((k) => ['remotePort', 'localPort', 'label'].includes(k))) {
            setServerError(error.message);
          }
        },
      );
  };

  return (
    <form
      className={styles.form}
      onSubmit={submit}
      aria-label="Add a forward"
      data-testid="add-forward-form"
      onKeyDown={(event) => {
        if (event.key === 'Escape' && !busy) {
          event.preventDefault();
          props.onDone();
        }
      }}
      noValidate
    >
      <div className={styles.presets}>
        <Text size={200} className={styles.presetLabel}>
          Presets:
        </Text>
        {PRESETS.map((preset) => (
          <Button
            key={preset.label}
            type="button"
            size="small"
            shape="circular"
            appearance="outline"
            data-testid={`forward-preset-${preset.port}`}
            onClick={() => {
              setRemote(String(preset.port));
              setLabel(preset.label);
              setServerFields({});
            }}
          >
            {preset.label} {preset.port}
          </Button>
        ))}
      </div>
      {connections.length > 1 && chosen && (
        <Field label="Over the connection to" size="small">
          <Dropdown
            size="small"
            className={styles.dropdown}
            value={connectionLabel(chosen)}
            selectedOptions={[chosen.id]}
            onOptionSelect={(_, data) => data.optionValue && setConnectionId(data.optionValue)}
          >
            {connections.map((c) => (
              <Option key={c.id} value={c.id} text={connectionLabel(c)}>
                {connectionLabel(c)}
              </Option>
            ))}
          </Dropdown>
        </Field>
      )}
      <div className={styles.ports}>
        <PortField
          label="Remote port"
          required
          inputRef={remoteRef}
          value={remote}
          placeholder="6006"
          testId="forward-remote-port"
          error={remoteError}
          warning={same ? `Already forwarded as 127.0.0.1:${same.localPort}.` : undefined}
          hint={chosen ? `On ${chosen.instanceName}` : undefined}
          onChange={(value) => {
            setRemote(value);
            setServerFields({});
          }}
        />
        <PortField
          label="Local port"
          value={local}
          placeholder="same"
          testId="forward-local-port"
          error={localError}
          warning={localWarning}
          hint="Empty: the same if free"
          onChange={(value) => {
            setLocal(value);
            setServerFields({});
          }}
        />
      </div>
      <Field
        label="Label"
        size="small"
        validationState={labelError ? 'error' : 'none'}
        validationMessage={labelError}
      >
        <Input
          size="small"
          value={label}
          placeholder="e.g. TensorBoard"
          data-testid="forward-label"
          onChange={(_, data) => setLabel(data.value)}
        />
      </Field>
      {serverError && (
        <MessageBar intent="error" layout="multiline" data-testid="add-forward-error">
          <MessageBarBody>{serverError}</MessageBarBody>
        </MessageBar>
      )}
      <div className={styles.actions}>
        <Button
          type="submit"
          appearance="primary"
          size="small"
          disabled={busy || !chosen}
          icon={busy ? <Spinner size="extra-tiny" /> : undefined}
          data-testid="forward-submit"
        >
          {busy ? 'Forwarding…' : 'Forward'}
        </Button>
        <Button type="button" size="small" disabled={busy} onClick={() => props.onDone()}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

interface PortFieldProps {
  label: string;
  required?: boolean;
  inputRef?: Ref<HTMLInputElement>;
  value: string;
  placeholder: string;
  testId: string;
  error?: string | undefined;
  /** Shown when there is no error; it does not stop the form. */
  warning?: string | undefined;
  /** Shown only while there is neither an error nor a warning. */
  hint?: string | undefined;
  onChange: (value: string) => void;
}

/** One port box of the form; both share the message rules: an error, else a warning, else the hint. */
function PortField(props: PortFieldProps) {
  const { error, warning } = props;
  const styles = useStyles();
  return (
    <Field
      label={props.label}
      size="small"
      required={props.required}
      validationState={error ? 'error' : warning ? 'warning' : 'none'}
      validationMessage={error ?? warning}
      hint={error || warning ? undefined : props.hint}
    >
      <Input
        ref={props.inputRef}
        className={styles.input}
        size="small"
        inputMode="numeric"
        value={props.value}
        placeholder={props.placeholder}
        data-testid={props.testId}
        onChange={(_, data) => props.onChange(data.value)}
      />
    </Field>
  );
}
