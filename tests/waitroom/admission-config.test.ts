/** The waiting room's configuration: its signing secret and its default rate. */
import { describe, expect, it } from 'vitest'
import { readConfig } from '../../src/config.ts'
import { admissionSecret, admissionsPerMinute, DEFAULT_ADMISSIONS_PER_MINUTE } from '../../src/waitroom/admission.ts'

describe('waiting room configuration', () => {
  it('reads the rate and the secret from the environment, and refuses a rate that is not a whole number', () => {
    const config = readConfig({ WAITING_ROOM_SECRET: 's'.repeat(40), WAITING_ROOM_ADMISSIONS_PER_MINUTE: '900' })
    expect(config).toMatchObject({ waitingRoomSecret: 's'.repeat(40), admissionsPerMinute: 900 })
    expect(() => readConfig({ WAITING_ROOM_ADMISSIONS_PER_MINUTE: 'fast' })).toThrow(/WAITING_ROOM_ADMISSIONS_PER_MINUTE/)
    expect(() => readConfig({ WAITING_ROOM_ADMISSIONS_PER_MINUTE: '0' })).toThrow(/at least 1/)
  })

  it('takes the event’s rate first, then the deployment’s, then the measured default', () => {
    const config = readConfig({})
    expect(admissionsPerMinute(config, null)).toBe(DEFAULT_ADMISSIONS_PER_MINUTE)
    expect(admissionsPerMinute({ ...config, admissionsPerMinute: 900 }, null)).toBe(900)
    expect(admissionsPerMinute({ ...config, admissionsPerMinute: 900 }, 120)).toBe(120)
  })

  it('never signs with the stand-in secret in production', () => {
    const production = readConfig({ APP_ENV: 'production', PUBLIC_URL: 'https://tikiti.example' })
    expect(() => admissionSecret(production)).toThrow(/WAITING_ROOM_SECRET must be set in production/)
    expect(admissionSecret({ ...production, waitingRoomSecret: 'k'.repeat(40) })).toBe('k'.repeat(40))
    expect(admissionSecret(readConfig({}))).not.toBe('')
  })
})
