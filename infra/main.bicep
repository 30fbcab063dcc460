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

@description('sharedring only: the publisher\'s six-field cron schedule (ApiKeys__PublishSchedule), in UTC.')
param publishSchedule string = '*/10 * * * * *'

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
    publicNetworkAccess: 'Enabled'
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2024-01-01' = {
  parent: storage
  name: 'default'
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
    publicNetworkAccess: 'Enabled'
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
  keyMode == 'sharedring' ? ringSettings : {}
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

resource deployerLastUseRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grantDeployerKeyAccess) {
  name: guid(lastUseTable.id, deployer().objectId, roles.storageTableDataReader)
  scope: lastUseTable
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataReader)
    principalId: deployer().objectId
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
