// Session-aware autoscale as the app shows it, against the Azure emulator's autoscale engine on a
// clock the test moves: a pool of 3 whose schedule goes to 0 at T; alice is busy on one instance
// (its agent protected it) → at T autoscale scales in the other two and keeps hers, and her
// terminal says why; a Terminate event shows a countdown bar; she goes idle → the agent clears
// the protection and the next evaluation scales to 0; the "why" view lists each step with its
// reason. The agent's part is played by the test, writing what the agent writes on the share
// (`.pool/status/<vm>.json`, `.pool/events/<vm>.jsonl`) and setting protection through ARM as
// the agent does; the agent itself is tested in test/integration (namespace VMs, IMDS, RBAC).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentActivity } from '../../src/common/agent-protocol/activity';
import { expect, shownTerminal, test } from './fixtures';

test.use({ viewport: { width: 1400, height: 900 } });

const MIN = 60_000;
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

test('why: scale-in keeps a busy VM (protect), terminate countdown, idle → scale to 0, each step with its reason', async ({
  whyApp: app,
  page,
}) => {
  test.setTimeout(300_000);
  const control = async (route: string, body: object = {}) => {
    const r = await fetch(`${app.emulator.controlUrl}${route}`, {
      method: 'POST',
      body: JSON.stringify(body),
    });
    expect(r.status, `${route}: ${await r.clone().text()}`).toBe(200);
    return (await r.json()) as Record<string, unknown>;
  };

  await page.goto(app.url);
  await page.getByTestId('view-admin').click();
  await page.getByTestId('azure-signin-environment').click();
  await expect(page.getByTestId('azure-account')).toBeVisible();

  // A pool of 3 with its share.
  await page.getByTestId('create-pool-open').click();
  const wizard = page.getByTestId('create-pool-dialog');
  await wizard.getByTestId('wizard-poolName').fill('whypool');
  await wizard.getByTestId('wizard-next').click();
  await wizard.getByTestId('wizard-instanceCount').fill('3');
  await wizard.getByTestId('wizard-maxInstances').fill('4');
  await wizard.getByTestId('wizard-next').click();
  await wizard.getByTestId('wizard-allowedSourceCidrs').fill('203.0.113.0/24');
  const natStart = 31_000 + Math.floor(Math.random() * 15) * 100;
  await wizard.getByTestId('wizard-natFrontendPortStart').fill(String(natStart));
  await wizard.getByTestId('wizard-next').click();
  await wizard.getByTestId('wizard-storageAccountName').fill(`why${natStart}`);
  await wizard.getByTestId('wizard-fileShareName').fill('whyshare');
  await wizard.getByTestId('wizard-next').click();
  await wizard.getByTestId('wizard-create').click();
  await expect(wizard.getByTestId('wizard-operation')).toHaveAttribute('data-status', 'succeeded', {
    timeout: 150_000,
  });
  await wizard.getByTestId('wizard-close').click();
  const card = page.locator('[data-testid^="admin-pool-azure"]');
  const running = card.locator('[data-testid^="admin-instance-"][data-state="running"]');
  await expect(running).toHaveCount(3, { timeout: 60_000 });
  const names = (await card.getByTestId('admin-name-cell').allTextContents()).sort();
  const aliceVm = names[1]!;
  const aliceRow = card.locator('[data-testid^="admin-instance-"]', { hasText: aliceVm });
  const aliceId = (await aliceRow.getAttribute('data-testid'))!.replace('admin-instance-', '');

  // The schedule: "working" (3) since T − 30 min, "evening" (0) from T; T is in the recent past,
  // so the Activity Log's events fall within the app's last day.
  const sub = app.emulator.subscriptionId;
  const T = Math.floor((Date.now() - 8 * MIN) / MIN) * MIN;
  const at = (ms: number) => new Date(ms).toISOString();
  const weekly = (ms: number) => {
    const d = new Date(ms);
    return {
      frequency: 'Week',
      schedule: {
        timeZone: 'UTC',
        days: [DAYS[d.getUTCDay()]],
        hours: [d.getUTCHours()],
        minutes: [d.getUTCMinutes()],
      },
    };
  };
  const cap = (n: number, max = n) => ({
    minimum: String(n),
    maximum: String(max),
    default: String(n),
  });
  const settingPath = `/subscriptions/${sub}/resourceGroups/whypool-rg/providers/Microsoft.Insights/autoscalesettings/whypool-autoscale`;
  const stored = (
    await control('arm', { method: 'GET', path: `${settingPath}?api-version=2022-10-01` })
  ).body as { location: string; properties: Record<string, unknown> };
  const put = await control('arm', {
    method: 'PUT',
    path: `${settingPath}?api-version=2022-10-01`,
    body: {
      location: stored.location,
      properties: {
        ...stored.properties,
        enabled: true,
        profiles: [
          { name: 'default', capacity: cap(0, 4), rules: [] },
          { name: 'working', capacity: cap(3), rules: [], recurrence: weekly(T - 30 * MIN) },
          { name: 'evening', capacity: cap(0), rules: [], recurrence: weekly(T) },
        ],
      },
    },
  });
  expect(put.status).toBe(200);
  await control('clock', { set: at(T - 2 * MIN) });
  await control('evaluate');
  await expect(running).toHaveCount(3);

  // alice is busy on her VM: its agent protected it, and says why in its heartbeat and log.
  const share = join(app.emulator.filesRoot, `why${natStart}`, 'whyshare', '.pool');
  await mkdir(join(share, 'status'), { recursive: true });
  await mkdir(join(share, 'events'), { recursive: true });
  const quiet: AgentActivity = {
    busy: false,
    reasons: [],
    idleSince: null,
    idleMinutes: 30,
    protection: { protectFromScaleIn: false, by: null },
    idleStopAt: null,
    scheduledEvents: [],
  };
  const heartbeat = (activity: AgentActivity) =>
    writeFile(
      join(share, 'status', `${aliceVm}.json`),
      JSON.stringify({
        version: 1,
        computerName: aliceVm,
        agentVersion: '0.1.0',
        time: new Date().toISOString(),
        mount: null,
        users: { applied: ['alice'], locked: [] },
        sessions: { alice: 1 },
        jupyter: { alice: { servers: 1, kernels: 1, busyKernels: activity.busy ? 1 : 0 } },
        load: { avg1: 1, avg5: 1, avg15: 1, cpus: 4 },
        lastApply: null,
        activity,
      }),
    );
  const events: object[] = [];
  const logEvent = (event: object) => {
    events.push(event);
    return writeFile(
      join(share, 'events', `${aliceVm}.jsonl`),
      events.map((e) => JSON.stringify(e)).join('\n') + '\n',
    );
  };
  const busy: AgentActivity = {
    ...quiet,
    busy: true,
    reasons: [{ user: 'alice', kind: 'kernel', text: 'kernel busy 12 min' }],
    protection: { protectFromScaleIn: true, by: 'busy' },
  };
  const vmPath = `/subscriptions/${sub}/resourceGroups/whypool-rg/providers/Microsoft.Compute/virtualMachineScaleSets/whypool/virtualMachines/${aliceId}`;
  const protect = async (on: boolean) => {
    const vm = (await control('arm', { method: 'GET', path: vmPath })).body as {
      location: string;
    };
    const r = await control('arm', {
      method: 'PUT',
      path: vmPath,
      body: { location: vm.location, properties: { protectionPolicy: { protectFromScaleIn: on } } },
    });
    expect([200, 202]).toContain(r.status);
  };
  await logEvent({ time: at(T - 3 * MIN), kind: 'sessions', sessions: 1 });
  await logEvent({ time: at(T - 3 * MIN), kind: 'busy', reasons: busy.reasons });
  await protect(true);
  await logEvent({
    time: at(T - 90_000),
    kind: 'protect',
    protect: true,
    by: 'busy',
    reason: 'alice: kernel busy 12 min',
  });
  await heartbeat(busy);
  await expect(aliceRow.getByTestId('admin-protected')).toHaveText('Yes', { timeout: 60_000 });

  // Her terminal on her VM, while all three run: the bar says why it is kept.
  await page.getByTestId('view-user').click();
  const poolCard = page.locator('[data-testid^="pool-card-azure"]');
  await poolCard
    .getByTestId(`instance-${aliceId}`)
    .getByRole('button', { name: 'Connect to this instance' })
    .click();
  await page.getByTestId('host-key-trust').click();
  const terminal = shownTerminal(page);
  await expect(terminal).toBeVisible({ timeout: 30_000 });
  const terminalId = (await terminal.getAttribute('data-testid'))!.replace('terminal-', '');
  const bar = page.getByTestId(`instance-warning-${terminalId}`);
  await expect(bar).toHaveAttribute('data-kind', 'kept', { timeout: 30_000 });

  // Maintenance announced for her VM while others run: Continue on another instance opens a
  // terminal there, then Jupyter on it (the notebooks are on the share).
  const reboot = {
    eventId: 'E2E-REBOOT-1',
    eventType: 'Reboot' as const,
    eventStatus: 'Scheduled' as const,
    notBefore: new Date(Date.now() + 15 * MIN).toISOString(),
    eventSource: 'Platform',
  };
  await heartbeat({ ...busy, scheduledEvents: [reboot] });
  await expect(bar).toHaveAttribute('data-event', 'Reboot', { timeout: 30_000 });
  await bar.getByTestId('instance-warning-move').click();
  await page.getByTestId('host-key-trust').click();
  await expect(page.locator('[data-testid^="terminal-tab-"]')).toHaveCount(2);
  await expect(page.getByTestId('status-bar')).not.toContainText(aliceVm, { timeout: 30_000 });
  await expect(page.locator('[data-testid^="jupyter-bar-"]').first()).toBeVisible({
    timeout: 60_000,
  });
  await heartbeat(busy); // the maintenance was called off
  await page.getByTestId('view-admin').click();

  // --- scale-in at T: the other two go, hers is kept -------------------------------------------
  await control('clock', { set: at(T) });
  await control('evaluate');
  await expect(running).toHaveCount(1, { timeout: 60_000 });
  await expect(running).toContainText(aliceVm);

  // Her terminal says why her VM stays.
  await page.getByTestId('view-user').click();
  await page.getByTestId(`terminal-tab-${terminalId}`).click();
  await expect(bar).toHaveAttribute('data-kind', 'kept', { timeout: 30_000 });
  await expect(bar).toContainText('alice: kernel busy 12 min');

  // --- terminate: a Terminate event shows a countdown bar --------------------------------------
  const notBefore = Date.now() + 10 * MIN;
  const terminate = {
    eventId: 'E2E-TERMINATE-1',
    eventType: 'Terminate' as const,
    eventStatus: 'Scheduled' as const,
    notBefore: new Date(notBefore).toISOString(),
    eventSource: 'User',
  };
  await logEvent({ time: at(T + MIN), kind: 'scheduled-event', event: terminate });
  await heartbeat({ ...busy, scheduledEvents: [terminate] });
  await expect(bar).toHaveAttribute('data-event', 'Terminate', { timeout: 30_000 });
  await expect(bar).toContainText('This VM is being removed from the pool');
  const countdown = bar.getByTestId('instance-warning-countdown');
  await expect(countdown).toHaveText(/^in (9|10):\d\d$/);
  const first = await countdown.textContent();
  await expect(countdown).not.toHaveText(first!, { timeout: 5_000 }); // it counts down live
  await page.screenshot({ path: 'test-results/screenshots/terminate-countdown.png' });
  // (No other instance runs, so there is nowhere to continue: the bar says so.)
  await expect(bar).toContainText('No other instance of the pool is running now.');

  // --- idle: the agent clears the protection; the next evaluation scales to 0 -----------------
  await logEvent({ time: at(T + 2 * MIN), kind: 'idle' });
  await protect(false);
  await logEvent({
    time: at(T + 2 * MIN + 30_000),
    kind: 'protect',
    protect: false,
    by: 'busy',
    reason: 'idle for 30 min: nobody typed and no kernel ran',
  });
  await logEvent({ time: at(T + 2 * MIN + 30_000), kind: 'sessions', sessions: 0 });
  await heartbeat({ ...quiet, idleSince: at(T + 2 * MIN - 30 * MIN) });
  await control('clock', { set: at(T + 3 * MIN) });
  await control('evaluate');
  await page.getByTestId('view-admin').click();
  await expect(card.locator('[data-testid^="admin-instance-"]')).toHaveCount(0, {
    timeout: 60_000,
  });

  // --- why: every step with its reason -----------------------------------------------------------
  await card.getByTestId('why-open').click();
  const why = page.getByTestId('why-dialog');
  await expect(why.getByTestId('why-now')).toContainText(
    "Profile 'evening' holds the pool at 0 (its minimum and maximum)",
    { timeout: 30_000 },
  );
  const steps = why.getByTestId('why-steps');
  await expect(steps.locator('[data-testid^="why-step-"]')).toHaveCount(5);
  await expect(why.getByTestId('why-step-0')).toContainText(`${aliceVm} protected from scale-in`);
  await expect(why.getByTestId('why-step-0')).toContainText('alice: kernel busy 12 min');
  await expect(why.getByTestId('why-step-1')).toContainText('Autoscale scale-in 3 → 0');
  await expect(why.getByTestId('why-step-1')).toContainText(
    "profile 'evening' allows at most 0 (its maximum); 1 instance was kept: protected from scale-in",
  );
  await expect(why.getByTestId('why-step-2')).toContainText(`${aliceVm}: Terminate scheduled`);
  await expect(why.getByTestId('why-step-3')).toContainText('scale-in protection cleared');
  await expect(why.getByTestId('why-step-3')).toContainText('idle for 30 min');
  await expect(why.getByTestId('why-step-4')).toContainText('Autoscale scale-in 1 → 0');
  await expect(why.getByTestId('why-chart').locator('canvas')).toBeVisible();
  await why.getByRole('button', { name: 'az equivalent' }).click();
  await expect(why.getByTestId('az-command').first()).toContainText('az monitor activity-log list');
  await page.screenshot({ path: 'docs/screenshots/why.png' });
  await why.getByTestId('why-close').click();
});
