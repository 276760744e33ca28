/** @internal */
export const exitCodes = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  credentialsRefused: 3,
  unavailable: 4,
  notSignedIn: 5,
  loginFailed: 6,
  storeUnusable: 7,
  providerError: 8,
  sandboxFailed: 9,
  interrupted: 130
} as const
