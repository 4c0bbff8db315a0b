// The Ministry access token, shared by all delivery loops of a process: one login at a time,
// reused until a minute before it expires, and dropped when the Ministry answers 401 so that the
// next call logs in again.

export interface Token {
  value: string;
  expiresAt: number;
}

export class TokenCache {
  private token: (Token & { renewAt: number }) | null = null;
  private pending: Promise<Token> | null = null;

  constructor(
    private readonly login: () => Promise<Token>,
    private readonly renewBeforeMs = 60_000,
  ) {}

  async get(): Promise<string> {
    if (this.token && this.token.renewAt > Date.now()) return this.token.value;
    // Concurrent callers wait for the same login.
    this.pending ??= this.login().finally(() => {
      this.pending = null;
    });
    const t = await this.pending;
    // Renew a minute early, or a fifth of the lifetime early for short-lived tokens.
    const early = Math.min(this.renewBeforeMs, (t.expiresAt - Date.now()) / 5);
    this.token = { ...t, renewAt: t.expiresAt - early };
    return t.value;
  }

  /** The Ministry refused the token (expired or revoked early). */
  invalidate(token: string): void {
    if (this.token?.value === token) this.token = null;
  }
}
