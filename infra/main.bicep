// The FunctionApp on Flex Consumption with everything it uses, reached by one user-assigned managed identity and
// nothing else: no storage key, no Application Insights key, no publishing password. Plain resources only (no registry
// modules), so the template builds and lints offline. docs/deploy.md explains the parameters, roles and costs.
targetScope = 'resourceGroup'

// Any name azd accepts (1 to 64 of letters, digits, - _ . ( and )): it goes into a tag only, never into a resource name.
@minLength(1)
@maxLength(64)
@description('The name of this deployment (azd: the environment name); it, the subscription, the resource group and the region make the token of every resource name.')
param environmentName string

@description('The region of every resource; it must offer Flex Consumption.')
param location string = resourceGroup().location

@allowed([
  'settings'
  'keyvault'
  'sharedring'
])
@description('Where keys come from (ApiKeys__KeySource): settings (development only), keyvault (each instance reads the vault) or sharedring (one publisher, every instance follows a signed blob).')
param keySource string = 'keyvault'

@description('sharedring only, and required there: the public key(s) of the ring signing key, base64 DER, separated by spaces (ApiKeys__RingVerificationKeys). The vault administrator makes the key pair; see docs/shared-ring.md.')
param ringVerificationKeys string = ''

@description('sharedring only: the publisher\'s six-field cron schedule (ApiKeys__PublishSchedule), in UTC. dotnet apikeys publishes its own changes at once; the timer is the safety net for changes made elsewhere.')
param publishSchedule string = '0 * * * * *'

@minValue(40)
@maxValue(1000)
@description('The most instances Flex Consumption may run.')
param maximumInstanceCount int = 100

@allowed([
  512
  2048
  4096
])
@description('Memory of each instance, in MB; it sets the CPU share and the price of each GB-second.')
param instanceMemoryMB int = 2048

@minValue(7)
@maxValue(90)
@description('How long a deleted vault or secret can be recovered; purge protection keeps it for that long.')
param vaultSoftDeleteRetentionDays int = 90

// A deleted vault keeps its name for vaultSoftDeleteRetentionDays and purge protection forbids purging it, so after
// `azd down` a deployment into a resource group of the same name would meet it; docs/deploy.md, "Redeploying".
@minValue(1)
@maxValue(99)
@description('Part of the vault\'s name: raise it to deploy a new vault while a deleted one still holds the previous name (azd: KEY_VAULT_GENERATION).')
param vaultGeneration int = 1

@description('Put storage and the vault behind private endpoints in a virtual network of their own, public network access off, with the app integrated into it (azd: VNET_ENABLED). The key tool then needs a way into that network: docs/deploy.md, "Private network".')
param vnetEnabled bool = false

// Off by default: without it each instance keeps its own rate-limit counters. On, it is the cheapest Azure Managed Redis
// (Balanced_B0); docs/deploy.md, "Shared rate-limit store", states what it costs.
@description('Deploy an Azure Managed Redis database as the rate limiter\'s shared counter store (ApiKeys__Redis__Endpoint), reached by the app\'s identity with Microsoft Entra ID and TLS only (azd: RATE_LIMIT_STORE_ENABLED). It has a monthly cost; docs/deploy.md.')
param rateLimitStoreEnabled bool = false

@description('Where alerts go: an email address for the action group (azd: ALERT_EMAIL). Empty: no action group and no alert rules.')
param alertEmail string = ''

@minValue(1)
@description('Denials of one known key within five minutes that raise the "surge of denials" alert.')
param keyDenialSurgeThreshold int = 100

@description('Let the principal running the deployment manage keys with the key tool: Key Vault Secrets Officer on the vault and Storage Table Data Reader on the last-use table.')
param grantDeployerKeyAccess bool = true

// 13 lower-case letters and digits, whatever the environment name holds; the resource names are prefix and token.
var token = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName, location))

// The shared ring without its verification keys would deploy and then stop at the app's start; this stops the
// deployment instead, before any resource is made, since resource conditions are evaluated first.
var keyMode = keySource == 'sharedring' && empty(trim(ringVerificationKeys))
  ? fail('keySource sharedring needs ringVerificationKeys (azd: RING_VERIFICATION_KEYS), the public key(s) of the ring signing key, base64 DER, separated by spaces. docs/shared-ring.md shows how to make the key pair.')
  : keySource
var tags = {
  'azd-env-name': environmentName
}

// The names the app reads by default (SharedRingOptions.RingContainer, the last-use table), made here so that the app's
// role assignments can be scoped to them rather than to the whole account.
var deploymentContainerName = 'app-package'
var ringContainerName = 'functionsapikey'
var lastUseTableName = 'apikeylastuse'

// Between two deploys the timer trigger still needs a schedule in every mode, since the host resolves
// %ApiKeys:PublishSchedule% for the PublishKeyRing function whatever the key source. Outside sharedring the function
// only logs that it has nothing to do, so it runs once a year (1 January, 00:00 UTC) instead of every 10 seconds.
var idlePublishSchedule = '0 0 0 1 1 *'

// Built-in role definitions (ids are the same in every tenant).
var roles = {
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  storageTableDataReader: '76199698-9eea-4c19-bc75-cec21354c6b6'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

// ---------------------------------------------------------------------------------------------------------------------
// Identity

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-${token}'
  location: location
  tags: tags
}

// ---------------------------------------------------------------------------------------------------------------------
// Storage: the host's (AzureWebJobsStorage), the deployment package, the shared ring and last-use times. Identity only.

resource storage 'Microsoft.Storage/storageAccounts@2024-01-01' = {
  name: 'st${token}'
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: vnetEnabled ? 'Disabled' : 'Enabled'
    networkAcls: {
      defaultAction: vnetEnabled ? 'Deny' : 'Allow'
      bypass: vnetEnabled ? 'None' : 'AzureServices'
    }
  }
}

// A deleted blob (the ring, the deployment package) or container can be restored for 7 days, the AVM module's default.
resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2024-01-01' = {
  parent: storage
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: 7
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: 7
    }
  }
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource ringContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' = if (keyMode == 'sharedring') {
  parent: blobService
  name: ringContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2024-01-01' = {
  parent: storage
  name: 'default'
}

resource lastUseTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2024-01-01' = {
  parent: tableService
  name: lastUseTableName
}

// ---------------------------------------------------------------------------------------------------------------------
// Key Vault: the keys (apikey-* secrets) and, for the shared ring, its signing key. Azure RBAC, never access policies.

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: 'kv-${token}-${vaultGeneration}'
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: vaultSoftDeleteRetentionDays
    enablePurgeProtection: true
    publicNetworkAccess: vnetEnabled ? 'Disabled' : 'Enabled'
    networkAcls: {
      defaultAction: vnetEnabled ? 'Deny' : 'Allow'
      bypass: 'AzureServices'
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Monitoring: Application Insights on a Log Analytics workspace; ingestion by Microsoft Entra ID only.

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'log-${token}'
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
    features: {
      disableLocalAuth: true
    }
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${token}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
    DisableLocalAuth: true
  }
}

// Who read, listed or changed which secret, and when: the vault's AuditEvent log in the workspace (AzureDiagnostics),
// kept for the workspace's 30 days. docs/deploy.md, "Audit trail", has the query.
resource vaultAudit 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'vault-audit'
  scope: vault
  properties: {
    workspaceId: logs.id
    logs: [
      {
        category: 'AuditEvent'
        enabled: true
      }
    ]
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Shared rate-limit store (rateLimitStoreEnabled): Azure Managed Redis, one database on the TLS port, no access keys;
// the app signs in with its identity's Microsoft Entra token, its object id as the user name (docs/deploy.md).

resource redis 'Microsoft.Cache/redisEnterprise@2025-07-01' = if (rateLimitStoreEnabled) {
  name: 'redis-${token}'
  location: location
  tags: tags
  sku: {
    name: 'Balanced_B0'
  }
  properties: {
    minimumTlsVersion: '1.2'
    publicNetworkAccess: vnetEnabled ? 'Disabled' : 'Enabled'
  }
}

// The port the app's ApiKeys__Redis__Endpoint names; Azure Managed Redis serves TLS there.
var redisPort = 10000

resource redisDatabase 'Microsoft.Cache/redisEnterprise/databases@2025-07-01' = if (rateLimitStoreEnabled) {
  parent: redis
  name: 'default'
  properties: {
    clientProtocol: 'Encrypted'
    port: redisPort
    clusteringPolicy: 'OSSCluster'
    // Counters expire by their window; under memory pressure the ones with a TTL go first, never a key without one.
    evictionPolicy: 'VolatileLRU'
    accessKeysAuthentication: 'Disabled'
  }
}

// The built-in "default" data access policy (all data commands, no admin ones) for the app's identity only.
resource redisAppAccess 'Microsoft.Cache/redisEnterprise/databases/accessPolicyAssignments@2025-07-01' = if (rateLimitStoreEnabled) {
  parent: redisDatabase
  name: 'app'
  properties: {
    accessPolicyName: 'default'
    user: {
      objectId: identity.properties.principalId
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Private network (vnetEnabled), as in the azd Functions quickstart: the app's outbound traffic through a subnet
// delegated to Flex Consumption; blob, table and the vault reached through private endpoints whose names resolve in
// private DNS zones linked to the network; public network access off on storage and the vault.

var vnetName = 'vnet-${token}'
var appSubnetName = 'app'
var endpointSubnetName = 'private-endpoints'

resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = if (vnetEnabled) {
  name: vnetName
  location: location
  tags: tags
  properties: {
    addressSpace: {
      addressPrefixes: [
        '10.0.0.0/16'
      ]
    }
    subnets: [
      {
        name: appSubnetName
        properties: {
          addressPrefix: '10.0.1.0/24'
          delegations: [
            {
              name: 'flex-consumption'
              properties: {
                serviceName: 'Microsoft.App/environments'
              }
            }
          ]
        }
      }
      {
        name: endpointSubnetName
        properties: {
          addressPrefix: '10.0.2.0/24'
          privateEndpointNetworkPolicies: 'Disabled'
        }
      }
    ]
  }
}

// One endpoint per service the app and the key tool use: the host's and the ring's blobs, the last-use table, the vault,
// and the rate-limit store when there is one.
var privateEndpoints = [
  {
    group: 'blob'
    zone: 'privatelink.blob.${environment().suffixes.storage}'
    target: storage.id
  }
  {
    group: 'table'
    zone: 'privatelink.table.${environment().suffixes.storage}'
    target: storage.id
  }
  {
    group: 'vault'
    zone: 'privatelink.vaultcore.azure.net'
    target: vault.id
  }
  ...(rateLimitStoreEnabled
    ? [
        {
          group: 'redisEnterprise'
          zone: 'privatelink.redis.azure.net'
          target: redis.id
        }
      ]
    : [])
]

resource privateZones 'Microsoft.Network/privateDnsZones@2024-06-01' = [
  for endpoint in privateEndpoints: if (vnetEnabled) {
    name: endpoint.zone
    location: 'global'
    tags: tags
  }
]

resource privateZoneLinks 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = [
  for (endpoint, i) in privateEndpoints: if (vnetEnabled) {
    parent: privateZones[i]
    name: vnetName
    location: 'global'
    tags: tags
    properties: {
      registrationEnabled: false
      virtualNetwork: {
        id: vnet.id
      }
    }
  }
]

resource endpoints 'Microsoft.Network/privateEndpoints@2024-05-01' = [
  for endpoint in privateEndpoints: if (vnetEnabled) {
    name: 'pe-${endpoint.group}-${token}'
    location: location
    tags: tags
    properties: {
      subnet: {
        id: resourceId('Microsoft.Network/virtualNetworks/subnets', vnetName, endpointSubnetName)
      }
      privateLinkServiceConnections: [
        {
          name: endpoint.group
          properties: {
            privateLinkServiceId: endpoint.target
            groupIds: [
              endpoint.group
            ]
          }
        }
      ]
    }
    dependsOn: [
      vnet
    ]
  }
]

resource endpointZones 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-05-01' = [
  for (endpoint, i) in privateEndpoints: if (vnetEnabled) {
    parent: endpoints[i]
    name: 'default'
    properties: {
      privateDnsZoneConfigs: [
        {
          name: endpoint.group
          properties: {
            privateDnsZoneId: privateZones[i].id
          }
        }
      ]
    }
  }
]

// ---------------------------------------------------------------------------------------------------------------------
// The app

// Every setting below is one the app or the Functions host reads; FunctionApp.Tests/Infrastructure checks the names.
var hostSettings = {
  // AzureWebJobsStorage by identity: blobs for the host (timer locks, keys) and the shared ring, tables for last use.
  AzureWebJobsStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
  AzureWebJobsStorage__tableServiceUri: storage.properties.primaryEndpoints.table
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.properties.clientId
  // Read by the host and by the worker's exporter (FunctionApp/Telemetry).
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.properties.clientId};Authorization=AAD'
  AzureWebJobsDisableHomepage: 'true'
  ApiKeys__KeySource: keyMode
  ApiKeys__PublishSchedule: keyMode == 'sharedring' ? publishSchedule : idlePublishSchedule
  // The table the app's last-use role is on, named here so the two cannot drift apart.
  ApiKeys__LastUseTable: lastUseTableName
}

var vaultSettings = {
  ApiKeys__KeyVaultUri: vault.properties.vaultUri
  ApiKeys__Credential: 'managedidentity'
  ApiKeys__ClientId: identity.properties.clientId
}

var ringSettings = {
  ApiKeys__RingVerificationKeys: ringVerificationKeys
  ApiKeys__RingContainer: ringContainerName
}

var appSettings = union(
  hostSettings,
  keyMode == 'settings' ? {} : vaultSettings,
  keyMode == 'sharedring' ? ringSettings : {},
  // host:port of the shared rate-limit store, which FunctionsApiKey.Redis reads (RedisRateLimitOptions.Endpoint), and
  // the identity it signs in as: the app has only a user-assigned one, which the access policy is assigned to. The
  // store exists exactly when this branch is taken.
  rateLimitStoreEnabled
    ? {
        ApiKeys__Redis__Endpoint: '${redis!.properties.hostName}:${redisPort}'
        ApiKeys__Redis__Credential: 'managedidentity'
        ApiKeys__Redis__ClientId: identity.properties.clientId
      }
    : {}
)

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: 'plan-${token}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: 'func-${token}'
  location: location
  tags: union(tags, {
    'azd-service-name': 'api'
  })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    virtualNetworkSubnetId: vnetEnabled ? resourceId('Microsoft.Network/virtualNetworks/subnets', vnetName, appSubnetName) : null
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      // Nothing else in siteConfig: Flex Consumption rejects ftpsState, alwaysOn, linuxFxVersion and others (error 51021;
      // the list and its sources are in docs/deploy.md). FTP stays off through the ftp policy below.
      appSettings: map(items(appSettings), setting => {
        name: setting.key
        value: setting.value
      })
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }
  dependsOn: [
    deploymentContainer
    hostStorageRole
    vnet
  ]
}

// No FTP and no publishing passwords: deployments (azd, func, az functionapp deploy) sign in with Microsoft Entra ID.
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: app
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: app
  name: 'scm'
  properties: {
    allow: false
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Role assignments, each on the narrowest scope that works

// The Functions host with an identity-based AzureWebJobsStorage creates its containers and leases blobs in them
// (timer locks), and Flex Consumption reads the deployment package with the same identity: Microsoft documents
// Storage Blob Data Owner on the account for that. It also covers the ring's container; the ring's own assignment
// below states what the app needs of it.
resource hostStorageRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, roles.storageBlobDataOwner)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataOwner)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource ringRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (keyMode == 'sharedring') {
  name: guid(ringContainer.id, identity.id, roles.storageBlobDataContributor)
  scope: ringContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource lastUseRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(lastUseTable.id, identity.id, roles.storageTableDataContributor)
  scope: lastUseTable
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource vaultReaderRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (keyMode != 'settings') {
  name: guid(vault.id, identity.id, roles.keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource telemetryRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, identity.id, roles.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// The principal running the deployment (a person with azd, or a pipeline), for the key tool: it issues, rotates and
// revokes keys in the vault and shows when each was last used.
resource deployerVaultRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grantDeployerKeyAccess) {
  name: guid(vault.id, deployer().objectId, roles.keyVaultSecretsOfficer)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsOfficer)
    principalId: deployer().objectId
  }
}

// With the shared ring, the tool publishes the ring itself right after a change, so it writes the ring's container.
resource deployerRingRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grantDeployerKeyAccess && keyMode == 'sharedring') {
  name: guid(ringContainer.id, deployer().objectId, roles.storageBlobDataContributor)
  scope: ringContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
    principalId: deployer().objectId
  }
}

resource deployerLastUseRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grantDeployerKeyAccess) {
  name: guid(lastUseTable.id, deployer().objectId, roles.storageTableDataReader)
  scope: lastUseTable
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataReader)
    principalId: deployer().objectId
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Alerts: an email action group and log search rules over what the packages emit (docs/monitoring.md, "Alerts"), on
// the Application Insights resource, where the worker's metrics are customMetrics and its log lines traces.

var alertsEnabled = !empty(alertEmail)

// Half of ApiKeys:MaxKeyRingAge, which the template leaves at the app's default of one day: time to act before the
// gate starts answering 503.
var keyRingAgeAlertSeconds = 12 * 60 * 60

var alertRules = [
  {
    id: 'ring-refused'
    title: 'a key ring was refused'
    severity: 1
    enabled: keyMode == 'sharedring'
    window: 'PT5M'
    query: '''
customMetrics
| where name == 'apikey.ring.refused'
| summarize refused = sum(valueSum) by reason = tostring(customDimensions['apikey.ring.reason'])
'''
    measure: 'refused'
    aggregation: 'Total'
    threshold: 0
    dimension: 'reason'
  }
  {
    id: 'ring-stale-or-unpublished'
    title: 'the ring went stale or a publish failed'
    severity: 2
    enabled: keyMode == 'sharedring'
    window: 'PT5M'
    query: '''
traces
| where tostring(customDimensions['CategoryName']) == 'FunctionsApiKey.SharedRing'
| where toint(customDimensions['EventId']) in (41, 52)
| summarize events = count() by event = tostring(customDimensions['EventName'])
'''
    measure: 'events'
    aggregation: 'Total'
    threshold: 0
    dimension: 'event'
  }
  {
    id: 'keys-unavailable'
    title: 'protected functions answered 503, keys unavailable'
    severity: 1
    enabled: true
    window: 'PT5M'
    query: '''
customMetrics
| where name == 'apikey.decisions'
| where tostring(customDimensions['apikey.outcome']) == 'keys_unavailable'
| summarize answers = sum(valueSum) by function = tostring(customDimensions['faas.name'])
'''
    measure: 'answers'
    aggregation: 'Total'
    threshold: 0
    dimension: 'function'
  }
  {
    id: 'keyring-old'
    title: 'the key ring is older than half of MaxKeyRingAge'
    severity: 2
    enabled: true
    window: 'PT15M'
    query: '''
customMetrics
| where name == 'apikey.keyring.age'
| summarize ageSeconds = max(valueMax) by instance = cloud_RoleInstance
'''
    measure: 'ageSeconds'
    aggregation: 'Maximum'
    threshold: keyRingAgeAlertSeconds
    dimension: 'instance'
  }
  {
    id: 'key-denial-surge'
    title: 'a surge of denials for one key'
    severity: 3
    enabled: true
    window: 'PT5M'
    query: '''
customMetrics
| where name == 'apikey.decisions'
| where isnotempty(tostring(customDimensions['apikey.name']))
| where tostring(customDimensions['apikey.outcome']) != 'allowed'
| summarize denials = sum(valueSum) by key = tostring(customDimensions['apikey.name'])
'''
    measure: 'denials'
    aggregation: 'Total'
    threshold: keyDenialSurgeThreshold
    dimension: 'key'
  }
]

resource alertGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (alertsEnabled) {
  name: 'ag-${token}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'apikeys'
    enabled: true
    emailReceivers: [
      {
        name: 'operator'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

resource alerts 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [
  for rule in alertRules: if (alertsEnabled && rule.enabled) {
    name: 'apikey-${rule.id}-${token}'
    location: location
    tags: tags
    properties: {
      displayName: 'API keys: ${rule.title}'
      description: 'docs/monitoring.md, "Alerts": what it means and what to do.'
      severity: rule.severity
      enabled: true
      scopes: [
        appInsights.id
      ]
      evaluationFrequency: 'PT5M'
      windowSize: rule.window
      criteria: {
        allOf: [
          {
            query: rule.query
            timeAggregation: rule.aggregation
            metricMeasureColumn: rule.measure
            dimensions: [
              {
                name: rule.dimension
                operator: 'Include'
                values: [
                  '*'
                ]
              }
            ]
            operator: 'GreaterThan'
            threshold: rule.threshold
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      autoMitigate: true
      actions: {
        actionGroups: [
          alertGroup.id
        ]
      }
    }
  }
]

// ---------------------------------------------------------------------------------------------------------------------
// The workbook (infra/workbook.json; docs/monitoring.md, "Workbook"): what the gate decides and how the key ring fares.

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(resourceGroup().id, token, 'workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: 'API keys (${token})'
    category: 'workbook'
    sourceId: appInsights.id
    serializedData: loadTextContent('workbook.json')
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Outputs (azd stores them in the environment: `azd env get-values`)

output AZURE_LOCATION string = location
output AZURE_FUNCTION_APP_NAME string = app.name
output AZURE_FUNCTION_URL string = 'https://${app.properties.defaultHostName}'
output AZURE_KEY_VAULT_NAME string = vault.name
output AZURE_KEY_VAULT_URI string = vault.properties.vaultUri
output AZURE_STORAGE_ACCOUNT_NAME string = storage.name
output AZURE_STORAGE_TABLE_ENDPOINT string = storage.properties.primaryEndpoints.table
output AZURE_IDENTITY_CLIENT_ID string = identity.properties.clientId
output APPLICATIONINSIGHTS_NAME string = appInsights.name
