/** Node's codes for a server certificate that does not chain to a trusted CA. */
const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'CERT_SIGNATURE_FAILURE',
]);

/**
 * What a failed database connection means for the TLS settings of `section` (`source` or
 * `state`), in words that name the setting to change; undefined when the failure is not about TLS.
 * Looks through `cause` chains (our SyncError, typeorm's driverError).
 */
export function explainTlsFailure(err: unknown, section: 'source' | 'state'): string | undefined {
  for (let e = err, depth = 0; e !== null && typeof e === 'object' && depth < 5; depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    const text = typeof message === 'string' ? message : '';
    if ((typeof code === 'string' && UNTRUSTED.has(code)) || /unable to (verify|get (local )?issuer)|self[- ]signed certificate/i.test(text)) {
      return `TLS: the server's certificate is not signed by a CA ${section}.tls trusts; set ${section}.tls.ca to the CA that signed it (\`ca: \${file:/path/to/ca.pem}\`)`;
    }
    if (typeof code === 'string' && code.startsWith('CERT_')) {
      return `TLS: the server's certificate is not valid (${code}); renew it on the server, or check ${section}.tls.ca`;
    }
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || /Hostname\/IP does not match certificate/i.test(text)) {
      return `TLS: the server's certificate does not name the host in ${section}.url; write the host name the certificate was issued for in ${section}.url (with ${section}.tls verify-full)`;
    }
    if (code === 'HANDSHAKE_NO_SSL_SUPPORT' || /does not support (SSL|secure)/i.test(text)) {
      return `TLS: the server does not offer TLS, and ${section}.tls asks for it; enable TLS on the server (ssl=on / ssl_cert), or write \`tls: disable\` to accept plaintext`;
    }
    if (/no encryption|insecure transport/i.test(text)) {
      return `TLS: the server accepts this connection only over TLS; set ${section}.tls (verify-full, or require)`;
    }
    e = (e as { cause?: unknown; driverError?: unknown }).cause ?? (e as { driverError?: unknown }).driverError;
  }
  return undefined;
}
