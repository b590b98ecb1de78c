/**
 * Reading HTML forms with zod. Schema messages are catalog keys, so a failed field gets a message in
 * the reader's language; the raw values come back so the form can be shown again as it was typed.
 */
import type { Context } from 'hono'
import type { z } from 'zod'
import { en, type MessageKey } from '../i18n/en.ts'
import type { AppEnv } from './app-env.ts'
import { DomainError } from '../lib/domain-errors.ts'
import { cleanText } from './text.ts'

export type FormValues = Record<string, string | string[]>
export type FieldErrors = Record<string, string>

export type FormResult<T> =
  | { ok: true; data: T; values: FormValues }
  | { ok: false; errors: FieldErrors; values: FormValues }

function isMessageKey(text: string): text is MessageKey {
  return text in en
}

/** Parses the request body (urlencoded or multipart) against `schema`. Never throws on bad input. */
export async function readForm<S extends z.ZodType>(c: Context<AppEnv>, schema: S): Promise<FormResult<z.output<S>>> {
  let values: FormValues = {}
  try {
    const body = await c.req.parseBody({ all: true })
    for (const [name, value] of Object.entries(body)) {
      if (typeof value === 'string') values[name] = cleanText(value)
      else if (Array.isArray(value)) values[name] = value.filter((v): v is string => typeof v === 'string').map(cleanText)
    }
  } catch {
    values = {}
  }
  const parsed = schema.safeParse(values)
  if (parsed.success) return { ok: true, data: parsed.data, values }
  const errors: FieldErrors = {}
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0] ?? '_form')
    if (errors[field]) continue
    errors[field] = c.var.t(isMessageKey(issue.message) ? issue.message : 'form.invalid')
  }
  return { ok: false, errors, values }
}

/** A single text value of a form (first one if repeated), for re-rendering. */
export function valueOf(values: FormValues, name: string): string {
  const value = values[name]
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '')
}

/** A domain failure becomes the form's message (shown above the form); anything else is a real error. */
export function formError(c: Context<AppEnv>, error: unknown): { status: DomainError['status']; errors: FieldErrors } {
  if (!(error instanceof DomainError)) throw error
  return { status: error.status, errors: { _form: c.var.t(error.messageKey, error.params) } }
}
