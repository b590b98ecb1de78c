import type { Translator } from '../../src/i18n/index.ts'

export interface ErrorPageProps {
  t: Translator
  title: string
  body: string
  /** Request id a person can quote to support. */
  reference?: string
}

export function ErrorPage({ t, title, body, reference }: ErrorPageProps) {
  return (
    <section class="error">
      <h1>{title}</h1>
      <p>{body}</p>
      {reference && <p class="muted">{t('error.reference', { id: reference })}</p>}
      <p><a href="/">{t('error.backHome')}</a></p>
    </section>
  )
}
