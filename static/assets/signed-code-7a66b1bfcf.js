/**
 * The signed ticket code inside every QR: tamper-proof and checkable offline with a public key only.
 *
 *   payload (40 bytes) = format 1 | key id (u16) | ticket id (16) | event id (16) | QR version (u8) | issued-at (u32, unix s)
 *   code = "T1" + Base32(payload + Ed25519 signature over the payload (64 bytes))
 *
 * No personal data. Base32 keeps to the QR alphanumeric alphabet, so the 169-character code fits a
 * version 7 QR at error correction M (178 characters): big modules a cheap camera reads at arm's
 * length. One function verifies, for the server and the offline scanner alike. (Prior art: pretix's
 * pretix_sig1 signs a protobuf with Ed25519.)
 */
export const CODE_PREFIX = 'T1';
const FORMAT = 1;
const PAYLOAD_BYTES = 40;
const SIGNATURE_BYTES = 64;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** A code "issued" further ahead than this is refused as future-dated (clocks drift a little). */
const MAX_CLOCK_SKEW_SECONDS = 300;
function uuidToBytes(uuid) {
    const hex = uuid.replace(/-/g, '');
    if (!/^[0-9a-f]{32}$/i.test(hex))
        throw new RangeError('not a uuid');
    return Uint8Array.from({ length: 16 }, (_, i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16));
}
function bytesToUuid(bytes) {
    const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
export function base32Encode(bytes) {
    let out = '';
    let buffer = 0;
    let bits = 0;
    for (const byte of bytes) {
        buffer = (buffer << 8) | byte;
        bits += 8;
        while (bits >= 5) {
            out += BASE32[(buffer >>> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits > 0)
        out += BASE32[(buffer << (5 - bits)) & 31];
    return out;
}
export function base32Decode(text) {
    const out = [];
    let buffer = 0;
    let bits = 0;
    for (const ch of text) {
        const value = BASE32.indexOf(ch);
        if (value === -1)
            return null;
        buffer = ((buffer << 5) | value) & 0xffff;
        bits += 5;
        if (bits >= 8) {
            out.push((buffer >>> (bits - 8)) & 0xff);
            bits -= 8;
        }
    }
    return Uint8Array.from(out);
}
export function encodePayload(claims) {
    if (!Number.isInteger(claims.keyId) || claims.keyId < 0 || claims.keyId > 0xffff)
        throw new RangeError('key id out of range');
    if (!Number.isInteger(claims.qrVersion) || claims.qrVersion < 1 || claims.qrVersion > 0xff)
        throw new RangeError('QR version out of range');
    const payload = new Uint8Array(PAYLOAD_BYTES);
    const view = new DataView(payload.buffer);
    payload[0] = FORMAT;
    view.setUint16(1, claims.keyId);
    payload.set(uuidToBytes(claims.ticketId), 3);
    payload.set(uuidToBytes(claims.eventId), 19);
    payload[35] = claims.qrVersion;
    view.setUint32(36, Math.floor(claims.issuedAt.getTime() / 1000));
    return payload;
}
function decodePayload(payload) {
    if (payload.length !== PAYLOAD_BYTES || payload[0] !== FORMAT)
        return null;
    const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
    return {
        keyId: view.getUint16(1),
        ticketId: bytesToUuid(payload.subarray(3, 19)),
        eventId: bytesToUuid(payload.subarray(19, 35)),
        qrVersion: payload[35],
        issuedAt: new Date(view.getUint32(36) * 1000),
    };
}
/** The claims of a code WITHOUT checking its signature: only to find which tenant's keys must check it. */
export function readUnverifiedClaims(code) {
    const text = code.trim();
    if (!text.startsWith(CODE_PREFIX) || text.length > 200)
        return null;
    const bytes = base32Decode(text.slice(CODE_PREFIX.length));
    if (!bytes || bytes.length !== PAYLOAD_BYTES + SIGNATURE_BYTES)
        return null;
    return decodePayload(bytes.slice(0, PAYLOAD_BYTES));
}
export async function signTicketCode(claims, privateKey) {
    const payload = encodePayload(claims);
    const signature = new Uint8Array(await crypto.subtle.sign('Ed25519', privateKey, payload));
    const whole = new Uint8Array(PAYLOAD_BYTES + SIGNATURE_BYTES);
    whole.set(payload);
    whole.set(signature, PAYLOAD_BYTES);
    return CODE_PREFIX + base32Encode(whole);
}
/**
 * Checks a scanned code with public keys only. `publicKey(keyId)` returns the verifying key for a key
 * id, or undefined. A valid result still needs the current QR version and status checked against the
 * server (or the scanner's synced list): a valid signature says the code was issued, not that it is current.
 */
export async function verifyTicketCode(code, publicKey, options = {}) {
    const text = code.trim();
    if (!text.startsWith(CODE_PREFIX) || text.length > 200)
        return { ok: false, reason: 'malformed' };
    const bytes = base32Decode(text.slice(CODE_PREFIX.length));
    if (!bytes || bytes.length !== PAYLOAD_BYTES + SIGNATURE_BYTES)
        return { ok: false, reason: 'malformed' };
    const payload = bytes.slice(0, PAYLOAD_BYTES);
    const claims = decodePayload(payload);
    if (!claims)
        return { ok: false, reason: 'malformed' };
    const key = await publicKey(claims.keyId);
    if (!key)
        return { ok: false, reason: 'unknown_key' };
    const valid = await crypto.subtle.verify('Ed25519', key, bytes.slice(PAYLOAD_BYTES), payload);
    if (!valid)
        return { ok: false, reason: 'bad_signature' };
    if (options.eventId && options.eventId.toLowerCase() !== claims.eventId)
        return { ok: false, reason: 'wrong_event' };
    const now = options.now ?? new Date();
    if (claims.issuedAt.getTime() > now.getTime() + MAX_CLOCK_SKEW_SECONDS * 1000)
        return { ok: false, reason: 'future_dated' };
    return { ok: true, claims };
}
