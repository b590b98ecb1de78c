/**
 * The failures services throw: each carries a status, a catalog message and a stable code for API
 * clients. This module knows no view, renderer or request; src/http/errors.tsx maps these to answers.
 */
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { MessageKey } from '../i18n/index.ts'

/** A failure the person can act on: a status, a catalog message, and a stable code for API clients. */
export class DomainError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    readonly messageKey: MessageKey,
    readonly params?: Record<string, string | number>,
  ) {
    super(code)
    this.name = 'DomainError'
  }
}

export class NotFoundError extends DomainError {
  constructor() {
    super(404, 'not_found', 'api.notFound')
  }
}

/** Signed in, but without the right for this. */
export class ForbiddenError extends DomainError {
  constructor() {
    super(403, 'forbidden', 'error.forbidden')
  }
}

/** A rate limit was exceeded; the message says in how many minutes to try again. */
export class TooManyAttemptsError extends DomainError {
  constructor(retryAfterSeconds: number) {
    super(429, 'too_many_requests', 'error.tooManyRequests', { minutes: Math.max(1, Math.ceil(retryAfterSeconds / 60)) })
  }
}

/** SECRETS_KEYS is unset, so nothing sealed at rest (M-Pesa credentials, ticket signing keys) can be used. */
export class SecretsNotConfiguredError extends DomainError {
  constructor() {
    super(503, 'secrets_not_configured', 'mpesa.notConfigured')
  }
}
