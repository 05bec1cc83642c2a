import type { KeyObject } from 'node:crypto';
import { createHash, generateKeyPair, randomUUID, sign, verify } from 'node:crypto';
import { promisify } from 'node:util';

/** The claims of an emulator access token (docs/cidaas-api.md "POST /token-srv/token"). */
export interface TokenClaims {
  readonly sub: 'ANONYMOUS';
  /** The client id. */
  readonly aud: string;
  /** The emulator's base URL. */
  readonly iss: string;
  /** Seconds since the epoch. */
  readonly iat: number;
  /** Seconds since the epoch; the token is refused from this second on. */
  readonly exp: number;
  readonly jti: string;
  readonly scopes: readonly string[];
}

const generateKeyPairAsync = promisify(generateKeyPair);
/** Verified tokens are remembered (signature checked once); expiry is checked on every use. */
const CACHE_LIMIT = 10_000;

function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

/**
 * Issues and verifies RS256 JWTs with an RSA key pair made when the emulator starts,
 * so a token from another emulator (or one edited by hand) fails the signature check.
 */
export class TokenIssuer {
  readonly kid: string;
  #issuer = '';
  readonly #verified = new Map<string, TokenClaims>();

  private constructor(
    private readonly privateKey: KeyObject,
    private readonly publicKey: KeyObject,
    private readonly clientId: string,
  ) {
    const der = publicKey.export({ type: 'spki', format: 'der' });
    this.kid = createHash('sha256').update(der).digest('base64url').slice(0, 16);
  }

  /** Makes a fresh 2048-bit key pair (off the event loop). */
  static async create(clientId: string): Promise<TokenIssuer> {
    const { privateKey, publicKey } = await generateKeyPairAsync('rsa', { modulusLength: 2048 });
    return new TokenIssuer(privateKey, publicKey, clientId);
  }

  /** Sets `iss` (the base URL, known once the server listens). */
  setIssuer(issuer: string): void {
    this.#issuer = issuer;
  }

  /** A signed token for these scopes, valid `ttlSeconds` from now (negative: already expired). */
  issue(scopes: readonly string[], ttlSeconds: number): string {
    const iat = Math.floor(Date.now() / 1000);
    const claims: TokenClaims = {
      sub: 'ANONYMOUS',
      aud: this.clientId,
      iss: this.#issuer,
      iat,
      exp: iat + ttlSeconds,
      jti: randomUUID(),
      scopes: [...scopes],
    };
    const header = { alg: 'RS256', typ: 'JWT', kid: this.kid };
    const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    const signature = sign('sha256', Buffer.from(signingInput), this.privateKey);
    return `${signingInput}.${base64url(signature)}`;
  }

  /** The claims of a valid token (signature, `alg`, `kid`, `aud`, `iss`, `exp`), else undefined. */
  verify(token: string, nowMs: number = Date.now()): TokenClaims | undefined {
    let claims = this.#verified.get(token);
    if (!claims) {
      claims = this.#verifySignature(token);
      if (!claims) return undefined;
      if (this.#verified.size >= CACHE_LIMIT) this.#verified.clear();
      this.#verified.set(token, claims);
    }
    return nowMs < claims.exp * 1000 ? claims : undefined;
  }

  /** The public key as a JWKS, as cidaas publishes at /.well-known/jwks.json. */
  jwks(): { keys: object[] } {
    return { keys: [{ ...this.publicKey.export({ format: 'jwk' }), kid: this.kid, alg: 'RS256', use: 'sig' }] };
  }

  /** Forgets the verified tokens (reset). */
  forget(): void {
    this.#verified.clear();
  }

  #verifySignature(token: string): TokenClaims | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
    try {
      const header = JSON.parse(Buffer.from(headerPart, 'base64url').toString('utf8')) as { alg?: unknown; kid?: unknown };
      if (header.alg !== 'RS256' || header.kid !== this.kid) return undefined;
      const ok = verify('sha256', Buffer.from(`${headerPart}.${payloadPart}`), this.publicKey, Buffer.from(signaturePart, 'base64url'));
      if (!ok) return undefined;
      const claims = JSON.parse(Buffer.from(payloadPart, 'base64url').toString('utf8')) as TokenClaims;
      if (claims.aud !== this.clientId || claims.iss !== this.#issuer || typeof claims.exp !== 'number' || !Array.isArray(claims.scopes)) {
        return undefined;
      }
      return claims;
    } catch {
      return undefined;
    }
  }
}
