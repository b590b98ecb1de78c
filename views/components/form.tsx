import type { Child } from 'hono/jsx'
import type { FieldErrors, FormValues } from '../../src/http/forms.ts'
import { valueOf } from '../../src/http/forms.ts'

export interface FieldProps {
  name: string
  label: string
  type?: string
  values?: FormValues
  errors?: FieldErrors
  autocomplete?: string
  required?: boolean
  inputmode?: 'text' | 'numeric' | 'tel' | 'email' | 'decimal'
  /** Passwords are never echoed back. */
  keepValue?: boolean
  /** Keeps ids unique when one page holds several forms with the same fields. */
  idPrefix?: string
}

export function Field({ name, label, type = 'text', values = {}, errors = {}, autocomplete, required = true, inputmode, keepValue = true, idPrefix = 'f' }: FieldProps) {
  const error = errors[name]
  const id = `${idPrefix}-${name}`
  return (
    <p class={error ? 'field invalid' : 'field'}>
      <label for={id}>{label}</label>
      <input id={id} name={name} type={type} value={keepValue && type !== 'password' ? valueOf(values, name) : ''}
        autocomplete={autocomplete} required={required} inputmode={inputmode}
        aria-invalid={error ? 'true' : undefined} aria-describedby={error ? `${id}-error` : undefined} />
      {error && <span class="field-error" id={`${id}-error`}>{error}</span>}
    </p>
  )
}

export function Notice({ children, kind = 'info' }: { children: Child; kind?: 'info' | 'error' | 'success' }) {
  return <p class={`notice ${kind}`} role={kind === 'error' ? 'alert' : 'status'}>{children}</p>
}

/** A form-level message: the first error that belongs to no single field, or a summary. */
export function FormProblem({ errors, summary }: { errors?: FieldErrors; summary: string }) {
  if (!errors || Object.keys(errors).length === 0) return null
  return <Notice kind="error">{errors._form ?? summary}</Notice>
}

export function TextArea({ name, label, values = {}, errors = {}, rows = 4, idPrefix = 'f' }: Omit<FieldProps, 'type'> & { rows?: number }) {
  const error = errors[name]
  const id = `${idPrefix}-${name}`
  return (
    <p class={error ? 'field invalid' : 'field'}>
      <label for={id}>{label}</label>
      <textarea id={id} name={name} rows={rows} aria-invalid={error ? 'true' : undefined}>{valueOf(values, name)}</textarea>
      {error && <span class="field-error">{error}</span>}
    </p>
  )
}

export function Checkbox({ name, label, values = {} }: Pick<FieldProps, 'name' | 'label' | 'values'>) {
  const value = valueOf(values, name)
  return (
    <p class="field">
      <label class="check"><input type="checkbox" name={name} checked={value === 'on' || value === 'true'} /> {label}</label>
    </p>
  )
}

export function Select({ name, label, options, values = {}, errors = {} }: Pick<FieldProps, 'name' | 'label' | 'values' | 'errors'> & { options: Array<[string, string]> }) {
  const current = valueOf(values, name)
  const id = `f-${name}`
  return (
    <p class={errors[name] ? 'field invalid' : 'field'}>
      <label for={id}>{label}</label>
      <select id={id} name={name}>
        {options.map(([value, text]) => <option value={value} selected={value === current}>{text}</option>)}
      </select>
      {errors[name] && <span class="field-error">{errors[name]}</span>}
    </p>
  )
}
