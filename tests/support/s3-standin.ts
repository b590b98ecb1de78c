/**
 * A local stand-in for an S3-compatible bucket (path style: PUT and GET /<bucket>/<key>), on 127.0.0.1 at a
 * free port. Like S3 it refuses (403) any request that is not signed with AWS Signature Version 4 by the
 * expected key: it recomputes the signature itself (canonical request, string to sign, signing key) with
 * node:crypto and compares. It also checks the x-amz-date is fresh, the credential scope matches it, and
 * x-amz-content-sha256 is the body's hash or UNSIGNED-PAYLOAD (what aws4fetch sends for S3).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface StandinRequest {
  method: string
  path: string
  status: number
  /** The x-amz-content-sha256 it carried: the body's hash, or UNSIGNED-PAYLOAD. */
  contentSha256?: string
  /** Why the stand-in refused it, when it did. */
  refusal?: string
}

export interface S3Standin {
  bucketUrl: string
  accessKeyId: string
  secretAccessKey: string
  region: string
  objects: Map<string, { bytes: Buffer; contentType: string }>
  requests: StandinRequest[]
  /** Answer every PUT with this status (after checking its signature); null to store again. */
  failPutsWith(status: number | null): void
  close(): Promise<void>
}

const sha256hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex')
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest()
const rfc3986 = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/

/** Why the request's SigV4 signature is not valid for these credentials, or undefined when it is. */
export function sigV4Problem(req: IncomingMessage, body: Buffer, keys: { accessKeyId: string; secretAccessKey: string; region: string }): string | undefined {
  const auth = AUTH.exec(req.headers.authorization ?? '')
  if (!auth) return 'no AWS4-HMAC-SHA256 Authorization header'
  const [, accessKeyId, date, region, service, signedHeaders, signature] = auth as unknown as string[]
  const amzDate = String(req.headers['x-amz-date'] ?? '')
  const payloadHash = String(req.headers['x-amz-content-sha256'] ?? '')
  if (accessKeyId !== keys.accessKeyId) return 'InvalidAccessKeyId'
  if (!/^\d{8}T\d{6}Z$/.test(amzDate)) return 'no x-amz-date'
  const signedAt = Date.parse(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'))
  if (Math.abs(Date.now() - signedAt) > 15 * 60_000) return 'RequestTimeTooSkewed'
  if (date !== amzDate.slice(0, 8) || region !== keys.region || service !== 's3') return 'credential scope does not match'
  if (!payloadHash) return 'no x-amz-content-sha256'
  if (payloadHash !== 'UNSIGNED-PAYLOAD' && payloadHash !== sha256hex(body)) return 'XAmzContentSHA256Mismatch'
  const names = signedHeaders!.split(';')
  if (!['host', 'x-amz-date', 'x-amz-content-sha256'].every((name) => names.includes(name))) return 'required headers not signed'
  const url = new URL(req.url ?? '/', 'http://standin')
  const canonicalUri = url.pathname.split('/').map((segment) => rfc3986(decodeURIComponent(segment))).join('/')
  const canonicalQuery = [...url.searchParams].map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([k1, v1], [k2, v2]) => (k1 < k2 ? -1 : k1 > k2 ? 1 : v1 < v2 ? -1 : v1 > v2 ? 1 : 0)).map((pair) => pair.join('=')).join('&')
  const canonicalHeaders = names.map((name) => `${name}:${String(req.headers[name] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('')
  const canonicalRequest = [req.method, canonicalUri, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash].join('\n')
  const scope = `${date}/${region}/${service}/aws4_request`
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256hex(canonicalRequest)].join('\n')
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${keys.secretAccessKey}`, date!), region!), service!), 'aws4_request')
  const expected = createHmac('sha256', signingKey).update(stringToSign).digest()
  if (!timingSafeEqual(expected, Buffer.from(signature!, 'hex'))) return 'SignatureDoesNotMatch'
  return undefined
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

function xmlError(res: ServerResponse, status: number, code: string) {
  res.writeHead(status, { 'content-type': 'application/xml' })
  res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code></Error>`)
}

export async function startS3Standin(options: { bucket?: string; accessKeyId?: string; secretAccessKey?: string; region?: string } = {}): Promise<S3Standin> {
  const bucket = options.bucket ?? 'tikiti-test'
  const keys = {
    accessKeyId: options.accessKeyId ?? 'AKIASTANDIN0000000001',
    secretAccessKey: options.secretAccessKey ?? 'standin/secret+key/0123456789abcdefghijklmn',
    region: options.region ?? 'auto',
  }
  const objects = new Map<string, { bytes: Buffer; contentType: string }>()
  const requests: StandinRequest[] = []
  let putFailure: number | null = null

  async function handle(req: IncomingMessage, res: ServerResponse, log: StandinRequest) {
    const body = await readBody(req)
    const problem = sigV4Problem(req, body, keys)
    if (problem) {
      log.refusal = problem
      return xmlError(res, 403, problem)
    }
    const prefix = `/${bucket}/`
    const path = log.path
    if (!path.startsWith(prefix) || path.length === prefix.length) return xmlError(res, 404, 'NoSuchBucket')
    const key = decodeURIComponent(path.slice(prefix.length))
    if (req.method === 'PUT') {
      if (putFailure !== null) return xmlError(res, putFailure, 'InternalError')
      objects.set(key, { bytes: body, contentType: String(req.headers['content-type'] ?? 'application/octet-stream') })
      return res.writeHead(200, { etag: `"${createHash('md5').update(body).digest('hex')}"` }).end()
    }
    const object = req.method === 'GET' ? objects.get(key) : undefined
    if (!object) return xmlError(res, req.method === 'GET' ? 404 : 405, req.method === 'GET' ? 'NoSuchKey' : 'MethodNotAllowed')
    res.writeHead(200, { 'content-type': object.contentType, 'content-length': object.bytes.length }).end(object.bytes)
  }

  const server = createServer((req, res) => {
    const log: StandinRequest = { method: req.method ?? '', path: new URL(req.url ?? '/', 'http://standin').pathname, status: 0 }
    if (req.headers['x-amz-content-sha256']) log.contentSha256 = String(req.headers['x-amz-content-sha256'])
    requests.push(log)
    res.on('finish', () => { log.status = res.statusCode })
    handle(req, res, log).catch(() => xmlError(res, 500, 'InternalError'))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    bucketUrl: `http://127.0.0.1:${port}/${bucket}`, ...keys, objects, requests,
    failPutsWith: (status) => { putFailure = status },
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeAllConnections()
      await closed
    },
  }
}
