// Base64 as Kubernetes uses it: Secret data and protobuf bytes fields are standard base64 of the raw
// bytes (Go's encoding/json for []byte), JWT parts and key ids are unpadded base64url. Text is UTF-8.

/** Bytes → standard base64 (padded). */
export function bytesToBase64(bytes: ArrayBuffer | Uint8Array): string {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let bin = '';
  // Chunked: String.fromCharCode(...b) overflows the stack on large Secrets.
  for (let i = 0; i < b.length; i += 0x8000) bin += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(bin);
}

/** Bytes → unpadded base64url (RFC 4648 §5), as in JWTs and kube-apiserver's key ids. */
export function bytesToBase64url(bytes: ArrayBuffer | Uint8Array): string {
  return bytesToBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** UTF-8 text → standard base64 (what `data` holds for a `stringData` value). */
export function utf8ToBase64(text: string): string {
  return bytesToBase64(new TextEncoder().encode(text));
}

/** Standard base64 → UTF-8 text; throws on malformed base64. */
export function base64ToUtf8(b64: string): string {
  return new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
}

/** Like base64ToUtf8, but malformed input reads as '' (a Secret value a container cannot use). */
export function base64ToUtf8OrEmpty(b64: string): string {
  try {
    return base64ToUtf8(b64);
  } catch {
    return '';
  }
}
