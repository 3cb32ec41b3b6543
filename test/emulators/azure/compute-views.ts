// The JSON compute answers with for scale sets, their VMs and instance views, shaped like the
// official examples in arm-examples/ (defaults ARM fills in, secrets never echoed).
import { createHash } from 'node:crypto';
import type { StoredResource } from './resource-store';
import type { ScaleSet, VmInstance } from './scale-set';

type Json = Record<string, unknown>;

export const SCALE_SET_TYPE = 'Microsoft.Compute/virtualMachineScaleSets';

export function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

function obj(value: unknown): Json {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

function arr(value: unknown): Json[] {
  return Array.isArray(value) ? (value as Json[]) : [];
}

/** Drops what ARM never returns: passwords, custom data, extensions' protected settings. */
export function withoutSecrets(body: Json): Json {
  const copy = clone(body);
  const profile = obj(obj(copy.properties).virtualMachineProfile);
  const os = obj(profile.osProfile);
  delete os.adminPassword;
  delete os.customData;
  for (const ext of arr(obj(profile.extensionProfile).extensions)) {
    const props = obj(ext.properties);
    delete props.protectedSettings;
    delete props.protectedSettingsFromKeyVault;
  }
  return copy;
}

export function isWindows(profile: Json): boolean {
  const os = obj(profile.osProfile);
  if (os.windowsConfiguration) return true;
  if (os.linuxConfiguration) return false;
  const image = obj(obj(profile.storageProfile).imageReference);
  return /windows/i.test(`${image.publisher ?? ''} ${image.offer ?? ''}`);
}

/** The scale set's model as GET shows it: given values plus the defaults ARM fills in. */
function profileView(profile: Json, userData: boolean): Json {
  const view = clone(profile);
  const os = obj(view.osProfile);
  if (view.osProfile) {
    os.secrets ??= [];
    if (isWindows(profile)) {
      os.windowsConfiguration = {
        provisionVMAgent: true,
        enableAutomaticUpdates: true,
        ...obj(os.windowsConfiguration),
      };
    } else {
      os.linuxConfiguration = {
        disablePasswordAuthentication: false,
        provisionVMAgent: true,
        enableVMAgentPlatformUpdates: false,
        ...obj(os.linuxConfiguration),
      };
    }
    os.allowExtensionOperations ??= true;
    os.requireGuestProvisionSignal ??= true;
  }
  for (const nic of arr(obj(view.networkProfile).networkInterfaceConfigurations)) {
    const props = (nic.properties = obj(nic.properties));
    props.dnsSettings ??= { dnsServers: [] };
    props.enableAcceleratedNetworking ??= false;
    for (const ip of arr(props.ipConfigurations)) {
      const ipProps = (ip.properties = obj(ip.properties));
      ipProps.privateIPAddressVersion ??= 'IPv4';
    }
  }
  if (!userData) delete view.userData;
  return view;
}

export function scaleSetView(
  resource: StoredResource,
  set: ScaleSet,
  query: URLSearchParams,
): Json {
  const body = resource.body;
  const props = obj(body.properties);
  const expand = (query.get('$expand') ?? query.get('$Expand') ?? '').toLowerCase();
  const view: Json = {
    id: resource.id,
    name: resource.name,
    type: SCALE_SET_TYPE,
    location: resource.location,
  };
  for (const key of ['tags', 'identity', 'zones', 'plan', 'extendedLocation']) {
    if (body[key] !== undefined) view[key] = clone(body[key]);
  }
  view.sku = { ...obj(clone(body.sku)), capacity: set.live().length };
  view.etag = `"${resource.version}"`;
  view.properties = {
    singlePlacementGroup: true,
    upgradePolicy: { mode: 'Manual' },
    overprovision: true,
    doNotRunExtensionsOnOverprovisionedVMs: false,
    ...clone(props),
    virtualMachineProfile: {
      ...profileView(obj(props.virtualMachineProfile), expand.includes('userdata')),
      timeCreated: resource.createdTime,
    },
    provisioningState: resource.provisioningState,
    uniqueId: resource.resourceGuid,
    timeCreated: resource.createdTime,
  };
  return view;
}

export interface VmViewOptions {
  instanceView: boolean;
  userData: boolean;
}

export function vmId(resource: StoredResource, vm: VmInstance): string {
  return `${resource.id}/virtualMachines/${vm.instanceId}`;
}

function diskName(resource: StoredResource, vm: VmInstance, kind: string): string {
  const hash = createHash('sha1').update(`${vm.vmId}/${kind}`).digest('hex').slice(0, 32);
  return `${resource.name}_${resource.name}_${vm.instanceId}_${kind}_${hash}`;
}

export function vmView(resource: StoredResource, vm: VmInstance, options: VmViewOptions): Json {
  const body = resource.body;
  const props = obj(body.properties);
  const profile = obj(props.virtualMachineProfile);
  const storage = obj(profile.storageProfile);
  const osDisk = obj(storage.osDisk);
  const diskBase = `/subscriptions/${resource.subscriptionId}/resourceGroups/${resource.resourceGroup}/providers/Microsoft.Compute/disks`;
  const id = vmId(resource, vm);
  const nics = arr(obj(profile.networkProfile).networkInterfaceConfigurations);
  const osDiskName = diskName(resource, vm, 'OsDisk_1');
  const image = obj(storage.imageReference);
  const os = obj(profileView(profile, false).osProfile);

  const vmProps: Json = {
    latestModelApplied: vm.latestModelApplied,
    modelDefinitionApplied: 'VirtualMachineScaleSet',
    vmId: vm.vmId,
    hardwareProfile: {},
    storageProfile: {
      imageReference: {
        ...clone(image),
        ...(image.version
          ? { exactVersion: image.version === 'latest' ? '1.0.0' : image.version }
          : {}),
      },
      osDisk: {
        osType: isWindows(profile) ? 'Windows' : 'Linux',
        name: osDiskName,
        createOption: osDisk.createOption ?? 'FromImage',
        caching: osDisk.caching ?? 'ReadWrite',
        managedDisk: {
          storageAccountType: obj(osDisk.managedDisk).storageAccountType ?? 'Premium_LRS',
          id: `${diskBase}/${osDiskName}`,
        },
        diskSizeGB: osDisk.diskSizeGB ?? 30,
      },
      dataDisks: arr(storage.dataDisks).map((disk) => {
        const name = diskName(resource, vm, `disk${Number(disk.lun ?? 0) + 1}`);
        return {
          lun: disk.lun ?? 0,
          name,
          createOption: disk.createOption ?? 'Empty',
          caching: disk.caching ?? 'None',
          managedDisk: {
            storageAccountType: obj(disk.managedDisk).storageAccountType ?? 'Premium_LRS',
            id: `${diskBase}/${name}`,
          },
          diskSizeGB: disk.diskSizeGB ?? 128,
          toBeDetached: false,
        };
      }),
    },
    osProfile: {
      computerName: vm.computerName,
      adminUsername: os.adminUsername,
      ...(os.linuxConfiguration ? { linuxConfiguration: os.linuxConfiguration } : {}),
      ...(os.windowsConfiguration ? { windowsConfiguration: os.windowsConfiguration } : {}),
      secrets: os.secrets ?? [],
      allowExtensionOperations: os.allowExtensionOperations ?? true,
      requireGuestProvisionSignal: os.requireGuestProvisionSignal ?? true,
    },
    networkProfile: {
      networkInterfaces: nics.map((nic) => ({ id: `${id}/networkInterfaces/${String(nic.name)}` })),
    },
    networkProfileConfiguration: {
      networkInterfaceConfigurations: clone(
        arr(obj(profileView(profile, false).networkProfile).networkInterfaceConfigurations),
      ),
    },
    provisioningState: vm.provisioningState,
    timeCreated: vm.createdTime,
  };
  if (profile.diagnosticsProfile) vmProps.diagnosticsProfile = clone(profile.diagnosticsProfile);
  if (options.userData && profile.userData !== undefined) vmProps.userData = profile.userData;
  if (vm.protectionPolicy) vmProps.protectionPolicy = clone(vm.protectionPolicy);
  if (options.instanceView) vmProps.instanceView = vmInstanceView(resource, vm);

  const view: Json = {
    name: vm.name,
    id,
    type: 'Microsoft.Compute/virtualMachines',
    location: resource.location,
  };
  if (body.tags) view.tags = clone(body.tags);
  view.instanceId = vm.instanceId;
  view.sku = { name: obj(body.sku).name, tier: obj(body.sku).tier ?? 'Standard' };
  if (body.zones) view.zones = clone(body.zones);
  if (body.plan) view.plan = clone(body.plan);
  view.etag = `"${vm.generation + 1}"`;
  view.properties = vmProps;
  const extensions = arr(obj(profile.extensionProfile).extensions);
  if (extensions.length > 0) {
    view.resources = extensions.map((ext) => {
      const extProps = obj(ext.properties);
      return {
        name: ext.name,
        id: `${id}/extensions/${String(ext.name)}`,
        type: 'Microsoft.Compute/virtualMachines/extensions',
        location: resource.location,
        ...(body.tags ? { tags: clone(body.tags) } : {}),
        properties: {
          autoUpgradeMinorVersion: extProps.autoUpgradeMinorVersion ?? true,
          provisioningState: extensionProvisioningState(vm, String(ext.name)),
          publisher: extProps.publisher,
          type: extProps.type,
          typeHandlerVersion: extProps.typeHandlerVersion,
          settings: clone(extProps.settings ?? {}),
        },
      };
    });
  }
  return view;
}

/** An extension resource's provisioningState: what it reported, else the VM's own. */
function extensionProvisioningState(vm: VmInstance, name: string): string {
  const reported = vm.extensions?.find((e) => e.name.toLowerCase() === name.toLowerCase());
  const code = reported?.statuses[0]?.code ?? '';
  if (code.startsWith('ProvisioningState/failed')) return 'Failed';
  if (code === 'ProvisioningState/succeeded') return 'Succeeded';
  if (reported) return 'Creating';
  return vm.provisioningState === 'Succeeded' ? 'Succeeded' : 'Creating';
}

const POWER_TEXT: Record<string, string> = {
  starting: 'VM starting',
  running: 'VM running',
  stopping: 'VM stopping',
  stopped: 'VM stopped',
  deallocating: 'VM deallocating',
  deallocated: 'VM deallocated',
};

const PROVISIONING_TEXT: Record<string, string> = {
  Creating: 'Creating',
  Updating: 'Updating',
  Succeeded: 'Provisioning succeeded',
  Failed: 'Provisioning failed',
  Deleting: 'Deleting',
};

/** `statuses` as Azure gives them: ProvisioningState/… then PowerState/… (no time on power). */
export function vmStatuses(vm: VmInstance): Json[] {
  const provisioning: Json = {
    code:
      `ProvisioningState/${vm.provisioningState.toLowerCase()}` +
      (vm.failure ? `/${vm.failure.code}` : ''),
    level: vm.failure ? 'Error' : 'Info',
    displayStatus: PROVISIONING_TEXT[vm.provisioningState],
    time: vm.stateTime,
  };
  if (vm.failure) provisioning.message = vm.failure.message;
  const statuses = [provisioning];
  if (vm.powerState) {
    statuses.push({
      code: `PowerState/${vm.powerState}`,
      level: 'Info',
      displayStatus: POWER_TEXT[vm.powerState],
    });
  }
  return statuses;
}

export function vmInstanceView(resource: StoredResource, vm: VmInstance): Json {
  const props = obj(resource.body.properties);
  const profile = obj(props.virtualMachineProfile);
  const running = vm.powerState === 'running';
  const index = Number(vm.instanceId);
  const view: Json = {
    platformUpdateDomain: index % 5,
    platformFaultDomain: index % Number(props.platformFaultDomainCount ?? 5),
    computerName: vm.computerName,
    osName: isWindows(profile) ? 'Windows Server 2022 Datacenter' : 'ubuntu',
    osVersion: isWindows(profile) ? '10.0.20348' : '22.04',
    vmAgent: running
      ? {
          vmAgentVersion: '2.11.1.12',
          statuses: [
            {
              code: 'ProvisioningState/succeeded',
              level: 'Info',
              displayStatus: 'Ready',
              message: 'Guest Agent is running',
              time: vm.stateTime,
            },
          ],
          extensionHandlers: (vm.extensions ?? []).map((ext) => ({
            type: ext.type,
            typeHandlerVersion: ext.typeHandlerVersion,
            status: { code: 'ProvisioningState/succeeded', level: 'Info', displayStatus: 'Ready' },
          })),
        }
      : {
          vmAgentVersion: 'Unknown',
          statuses: [
            {
              code: 'ProvisioningState/Unavailable',
              level: 'Warning',
              displayStatus: 'Not Ready',
              message: 'VM status blob is found but not yet populated.',
              time: vm.stateTime,
            },
          ],
        },
    disks: [
      {
        name: diskName(resource, vm, 'OsDisk_1'),
        statuses: [
          {
            code: 'ProvisioningState/succeeded',
            level: 'Info',
            displayStatus: 'Provisioning succeeded',
            time: vm.createdTime,
          },
        ],
      },
    ],
  };
  const hostGroup = obj(props.hostGroup).id;
  if (typeof hostGroup === 'string') view.assignedHost = `${hostGroup}/hosts/host${index % 2}`;
  // What the guest agent reported for the extensions (their last status survives a deallocate).
  if (vm.extensions) view.extensions = clone(vm.extensions);
  view.hyperVGeneration = 'V2';
  view.statuses = vmStatuses(vm);
  return view;
}

/** The scale set's instance view: counts per status, and its own provisioning status. */
export function scaleSetInstanceView(resource: StoredResource, set: ScaleSet): Json {
  const props = obj(resource.body.properties);
  const profile = obj(props.virtualMachineProfile);
  const counts = new Map<string, number>();
  for (const vm of set.instances.values()) {
    for (const status of vmStatuses(vm)) {
      const code = String(status.code);
      counts.set(code, (counts.get(code) ?? 0) + 1);
    }
  }
  const summary = [...counts].map(([code, count]) => ({ code, count }));
  const view: Json = { virtualMachine: { statusesSummary: summary } };
  const extensions = arr(obj(profile.extensionProfile).extensions);
  if (extensions.length > 0) {
    view.extensions = extensions.map((ext) => {
      // Each instance's reported status; one whose backend ran no extension counts as succeeded.
      const byCode = new Map<string, number>();
      for (const vm of set.live()) {
        const reported = vm.extensions?.find(
          (e) => e.name.toLowerCase() === String(ext.name).toLowerCase(),
        );
        const code = reported?.statuses[0]?.code ?? 'ProvisioningState/succeeded';
        byCode.set(code, (byCode.get(code) ?? 0) + 1);
      }
      return {
        name: ext.name,
        statusesSummary: [...byCode].map(([code, count]) => ({ code, count })),
      };
    });
  }
  view.statuses = [
    {
      code: `ProvisioningState/${resource.provisioningState.toLowerCase()}`,
      level: resource.provisioningState === 'Failed' ? 'Error' : 'Info',
      displayStatus: PROVISIONING_TEXT[resource.provisioningState] ?? resource.provisioningState,
      time: resource.changedTime,
    },
  ];
  view.orchestrationServices = [
    {
      serviceName: 'AutomaticRepairs',
      serviceState: obj(props.automaticRepairsPolicy).enabled === true ? 'Running' : 'NotRunning',
    },
  ];
  return view;
}
