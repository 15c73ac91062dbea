// The credential sources of sls-connection (lib/sls/credentials.ts builds them), apart so that the
// settings specs (lib/config) name them without loading the credentials library.

export const CREDENTIAL_SOURCES = ["access_key", "sts", "ecs_ram_role", "ram_role_arn", "oidc_role_arn", "credentials_file", "default"] as const;
export type CredentialSourceKind = (typeof CREDENTIAL_SOURCES)[number];
