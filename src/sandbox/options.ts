/** How the sandbox is set up: one client, registered in both protocols. */
export interface SandboxOptions {
  /** Public base URL of the sandbox ("http://localhost:3100"); the OIDC issuer is `<base>/oidc`. */
  issuerBaseUrl: string;
  clientId: string;
  clientSecret: string;
  /** The client's registered callback; MITIC sends every login result there. */
  redirectUri: string;
  /** The `iss` of MITIC tokens; default `sandbox-mitic`. */
  miticIssuer?: string;
  /** Where RP-initiated logout may return; default: the redirect URI's origin + `/login`. */
  postLogoutRedirectUri?: string;
  /** Milliseconds since the epoch; injected so tests can move time. Default `Date.now`. */
  now?: () => number;
}

/** Reads a single string from a query or form value (arrays and objects are refused). */
export function singleString(value: unknown, maxLength = 512): string | undefined {
  return typeof value === 'string' && value.length <= maxLength ? value : undefined;
}
