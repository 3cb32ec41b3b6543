// Session-aware autoscale as the app shows it, driven by the real agent: a pool of 3 real Linux
// VMs (namespace VMs behind the Azure emulator) whose agents run their watch as their service
// would; a schedule going to 0 at T on the autoscale engine's clock, which the test moves. The
// pool's user is really busy on one instance (her terminal in the app, with input) → her VM's
// agent protects it (seen in the app and on ARM, not set by the test); a Reboot announced for her
// VM (through IMDS, read by her agent) offers Continue on another instance → at T autoscale scales in
// the other two (their idle agents approve their Terminate) and keeps hers, her terminal says why;
// Activity… shortens the idle window and turns idle stop on, which the agent follows at its next
// cycle; idle, her agent clears the protection and warns of an idle stop, and "Keep this VM" puts
// it off; done, she cancels her keep → the agent clears the protection, the next evaluation scales
// her VM in: its Terminate event (raised by the emulator, read by her agent through IMDS) shows a
// countdown bar and the agent's message in her terminal; while she is connected her agent does not
// approve early; she closes her terminal, her agent approves, the pool is at 0; the "why" view
// lists each step with its reason.
// The agent's test knobs (test/emulators/azure/README.md): 1 s cycles, an idle minute of 8 s.
import { expect, IDLE_MINUTE_MS, screenText, shownTerminal, test } from './fixtures';

test.use({ viewport: { width: 1400, height: 900 } });

const MIN = 60_000;
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

test('why: the agent protects a busy VM from scale-in, idle stop and Keep this VM, idle → terminate countdown → 0, each step with its reason', async ({
  whyApp: app,
  page,
}) => {
  test.setTimeout(420_000);
  const started = Date.now();
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

  // A pool of 3 with its share; the template's extension installs the agent on each VM.
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
  const rows = card.locator('[data-testid^="admin-instance-"]');
  const running = card.locator('[data-testid^="admin-instance-"][data-state="running"]');
  await expect(running).toHaveCount(3, { timeout: 90_000 });
  for (const id of ['0', '1', '2']) {
    await expect(card.getByTestId(`admin-agent-${id}`)).toHaveAttribute(
      'data-status',
      'succeeded',
      { timeout: 60_000 },
    );
  }
  const names = (await card.getByTestId('admin-name-cell').allTextContents()).sort();
  const herVm = names[1]!;
  const herRow = rows.filter({ hasText: herVm });
  const herId = (await herRow.getAttribute('data-testid'))!.replace('admin-instance-', '');

  // The schedule: "working" (3) since T − 30 min, "evening" (0) from T, the minute that just
  // began; the engine's clock moves to the real time at each evaluation, so the Activity Log's
  // events are in the app's last day and her Terminate's NotBefore is 10 real minutes away.
  const sub = app.emulator.subscriptionId;
  const T = Math.floor(Date.now() / MIN) * MIN;
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

  // --- protect: she works in her terminal; her VM's agent protects it --------------------------
  await page.getByTestId('view-user').click();
  const poolCard = page.locator('[data-testid^="pool-card-azure"]');
  await poolCard
    .getByTestId(`instance-${herId}`)
    .getByRole('button', { name: 'Connect to this instance' })
    .click();
  await page.getByTestId('host-key-trust').click();
  const terminal = shownTerminal(page);
  await expect(terminal).toBeVisible({ timeout: 30_000 });
  const terminalId = (await terminal.getAttribute('data-testid'))!.replace('terminal-', '');
  const typeIn = async (line: string) => {
    await page.getByTestId(`terminal-tab-${terminalId}`).click();
    await terminal.click();
    await page.keyboard.type(`${line}\n`);
  };
  const typedAt = Date.now();
  await typeIn('echo training a model');
  const bar = page.getByTestId(`instance-warning-${terminalId}`);
  await expect(bar).toHaveAttribute('data-kind', 'kept', { timeout: 30_000 });
  await expect(bar).toContainText('azureuser: 1 SSH session, last input');
  await expect(bar).toContainText('until it has been idle for 30 min');
  const keptAfter = Date.now() - typedAt;
  await page.getByTestId('view-admin').click();
  await expect(herRow.getByTestId('admin-protected')).toHaveText('Yes', { timeout: 30_000 });
  await expect(rows.filter({ hasNotText: herVm }).getByTestId('admin-protected')).toHaveText([
    'No',
    'No',
  ]);

  // --- maintenance announced for her VM while the others run: Continue on another instance ----
  // opens a terminal there, then Jupyter on it (the notebooks are on the share). Her agent reads
  // the event from IMDS and reports it.
  const vmAt = { resourceGroup: 'whypool-rg', scaleSet: 'whypool', instanceId: herId };
  const { eventId } = (await control('scheduled-event', {
    ...vmAt,
    type: 'Reboot',
    // As Azure words host maintenance (the Scheduled Events documentation's example).
    description: 'Host server is undergoing maintenance.',
  })) as {
    eventId: string;
  };
  await page.getByTestId('view-user').click();
  await page.getByTestId(`terminal-tab-${terminalId}`).click();
  await expect(bar).toHaveAttribute('data-event', 'Reboot', { timeout: 30_000 });
  await bar.getByTestId('instance-warning-move').click();
  await page.getByTestId('host-key-trust').click();
  const tabs = page.locator('[data-testid^="terminal-tab-"]');
  await expect(tabs).toHaveCount(2);
  await expect(page.getByTestId('status-bar')).not.toContainText(herVm, { timeout: 30_000 });
  await expect(page.locator('[data-testid^="jupyter-bar-"]').first()).toBeVisible({
    timeout: 60_000,
  });
  // The maintenance is called off; she closes the new tab (its connection goes with it).
  await control('scheduled-event', { ...vmAt, eventId, clear: true });
  const moved = (await shownTerminal(page).getAttribute('data-testid'))!.replace('terminal-', '');
  expect(moved).not.toBe(terminalId);
  await page.getByTestId(`close-tab-${moved}`).click();
  await expect(tabs).toHaveCount(1);
  await page.getByTestId(`terminal-tab-${terminalId}`).click();
  await expect(bar).toHaveAttribute('data-kind', 'kept', { timeout: 30_000 });
  await expect(bar).toHaveAttribute('data-event', '');
  await page.getByTestId('view-admin').click();

  // --- Activity…: a 5-minute idle window and idle stop; the agents follow at their next cycle --
  await card.getByTestId('admin-activity').click();
  const activity = page.getByTestId('activity-dialog');
  await expect(activity.getByTestId('activity-idle-minutes')).toHaveValue('30');
  await activity.getByTestId('activity-idle-minutes').fill('5');
  await activity.getByTestId('activity-idle-stop').click();
  // Its az equivalent, and what az cannot do.
  const az = activity.getByTestId('az-preview');
  await expect(az.getByTestId('az-command').first()).toContainText(
    `az storage file upload --subscription ${sub} --account-name why${natStart} --share-name whyshare --path .pool/activity.json --source activity.json`,
  );
  await expect(az).toContainText(
    'az cannot upload text it is given: save {"version":1,"idleMinutes":5,"idleStop":true} as activity.json first',
  );
  await page.screenshot({ path: 'test-results/screenshots/activity-policy.png' });
  await activity.getByTestId('activity-save').click();
  await expect(activity).toHaveCount(0);
  await page.getByTestId('view-user').click();
  await typeIn('echo still training');
  await expect(bar).toContainText('until it has been idle for 5 min', { timeout: 30_000 });

  // --- scale-in at T: the other two go (their agents approve), hers is kept ---------------------
  await typeIn('echo nearly done');
  await page.getByTestId('view-admin').click();
  await control('clock', { set: at(Math.max(Date.now(), T)) });
  await control('evaluate');
  await expect(running).toHaveCount(1, { timeout: 60_000 });
  await expect(rows).toHaveCount(1, { timeout: 60_000 });
  await expect(running).toContainText(herVm);
  await page.getByTestId('view-user').click();
  await page.getByTestId(`terminal-tab-${terminalId}`).click();
  await expect(bar).toHaveAttribute('data-kind', 'kept');
  await expect(bar).toContainText('azureuser: 1 SSH session');

  // --- idle: after the window the agent clears the protection and warns of its idle stop; -------
  // "Keep this VM" puts it off (a keep as her on that VM: busy again, protected again).
  await expect(bar).toHaveAttribute('data-kind', 'idle-stop', { timeout: 20 * IDLE_MINUTE_MS });
  await expect(bar).toContainText('No session had input and no kernel ran for 5 min');
  await expect
    .poll(() => screenText(page, terminalId), { timeout: 20_000 })
    .toContain('has been idle for 5 min');
  await bar.getByTestId('instance-warning-keep').click();
  await expect(bar).toHaveAttribute('data-kind', 'kept', { timeout: 30_000 });
  await expect(bar).toContainText('azureuser: kept for');
  await expect(bar).toContainText('Keep this VM');

  // --- done: idle stop off again; she cancels her keep and leaves her terminal idle -------------
  await page.getByTestId('view-admin').click();
  await card.getByTestId('admin-activity').click();
  await expect(activity.getByTestId('activity-idle-minutes')).toHaveValue('5');
  await activity.getByTestId('activity-idle-stop').click();
  await activity.getByTestId('activity-save').click();
  await expect(activity).toHaveCount(0);
  await page.getByTestId('view-user').click();
  await typeIn('dsvm-pool-agent keep --cancel');
  await expect
    .poll(() => screenText(page, terminalId), { timeout: 20_000 })
    .toContain('keep cancelled: this VM counts as idle again');
  // Idle for the window: protection cleared, nothing to warn about.
  await expect(bar).toHaveCount(0, { timeout: 20 * IDLE_MINUTE_MS });
  await page.getByTestId('view-admin').click();
  await expect(herRow.getByTestId('admin-protected')).toHaveText('No', { timeout: 30_000 });

  // --- terminate: the next evaluation scales her VM in; a countdown bar -------------------------
  await control('clock', { set: at(Date.now()) });
  // The evaluation's scale-in waits for her VM's delete, which waits the notice: not awaited yet.
  const evaluation = control('evaluate');
  await page.getByTestId('view-user').click();
  await page.getByTestId(`terminal-tab-${terminalId}`).click();
  await expect(bar).toHaveAttribute('data-event', 'Terminate', { timeout: 30_000 });
  await expect(bar).toContainText('This VM is being removed from the pool');
  const countdown = bar.getByTestId('instance-warning-countdown');
  await expect(countdown).toHaveText(/^in (9|10):\d\d$/);
  const first = await countdown.textContent();
  await expect(countdown).not.toHaveText(first!, { timeout: 5_000 }); // it counts down live
  await expect(bar).toContainText('No other instance of the pool is running now.');
  // The agent told everyone logged in (wall and a tmux message).
  await expect
    .poll(() => screenText(page, terminalId), { timeout: 20_000 })
    .toContain('dsvm-pool: Azure');
  await page.screenshot({ path: 'test-results/screenshots/terminate-countdown.png' });
  // While she is connected her agent does not approve early; she closes her terminal (the app
  // drops the connection), and her agent, idle with nobody on the VM, approves: it goes now.
  await page.getByTestId('view-admin').click();
  await expect(rows).toHaveCount(1);
  await page.getByTestId('view-user').click();
  await page.getByTestId(`close-tab-${terminalId}`).click();
  await evaluation;
  await page.getByTestId('view-admin').click();
  await expect(rows).toHaveCount(0, { timeout: 60_000 });

  // --- why: every step with its reason -----------------------------------------------------------
  await card.getByTestId('why-open').click();
  const why = page.getByTestId('why-dialog');
  await expect(why.getByTestId('why-now')).toContainText(
    "Profile 'evening' holds the pool at 0 (its minimum and maximum)",
    { timeout: 30_000 },
  );
  const steps = why.getByTestId('why-steps').locator('[data-testid^="why-step-"]');
  const expected = [
    [`${herVm} protected from scale-in`, 'azureuser: 1 SSH session'],
    ['Autoscale scale-in 3 → 0', '1 instance was kept: protected from scale-in'],
    [`${herVm}: scale-in protection cleared`, 'idle for 5 min'],
    [`${herVm}: idle stop at`],
    [`${herVm} protected from scale-in`, 'Keep this VM'],
    [`${herVm}: scale-in protection cleared`, 'idle for 5 min'],
    ['Autoscale scale-in 1 → 0'],
    [`${herVm}: Terminate scheduled`],
  ];
  await expect
    .poll(
      async () => {
        const texts = await steps.allTextContents();
        let i = 0;
        for (const text of texts)
          if (i < expected.length && expected[i]!.every((w) => text.includes(w))) i++;
        return i === expected.length
          ? 'in order'
          : `${i} of ${expected.length}: ${texts.join(' | ')}`;
      },
      { timeout: 30_000 },
    )
    .toBe('in order');
  await expect(why.getByTestId('why-chart').locator('canvas')).toBeVisible();
  await why.getByRole('button', { name: 'az equivalent' }).click();
  await expect(why.getByTestId('az-command').first()).toContainText('az monitor activity-log list');
  await page.screenshot({ path: 'docs/screenshots/why.png' });
  await why.getByTestId('why-close').click();
  test
    .info()
    .annotations.push(
      { type: 'kept bar after her first input', description: `${keptAfter} ms` },
      { type: 'spec duration', description: `${Date.now() - started} ms` },
    );
});
