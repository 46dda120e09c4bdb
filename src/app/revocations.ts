/**
 * Credentials that just stopped working, for the streams served by this process: a logout,
 * a password change or reset, a deactivation or a token revocation publishes here once its
 * write has committed, and every open `GET /api/v1/stream` whose credential is named closes
 * at once. Streams served by other nodes learn of it by their periodic re-check
 * (routes/stream.ts), which reads the database.
 */
export interface Revocation {
  /** Every credential of this user (sessions and tokens). */
  userId?: string;
  /** One credential, by the SHA-256 digest of its secret (a session on logout, a revoked token). */
  credentialDigest?: string;
  /** With `userId`: the credential that survives (the rotated session of a password change). */
  exceptDigest?: string;
}

type Listener = (r: Revocation) => void;

export class RevocationFeed {
  private readonly listeners = new Set<Listener>();

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called after the revoking write committed; listeners run synchronously. */
  publish(r: Revocation): void {
    for (const listener of [...this.listeners]) listener(r);
  }

  get size(): number {
    return this.listeners.size;
  }
}

/** Does a revocation end the credential (`digest`) of `userId`? */
export function revokes(r: Revocation, userId: string, digest: string): boolean {
  if (r.credentialDigest !== undefined && r.credentialDigest === digest) return true;
  return r.userId !== undefined && r.userId === userId && r.exceptDigest !== digest;
}

/** The process's feed. */
export const revocationFeed = new RevocationFeed();
