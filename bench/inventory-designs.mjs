#!/usr/bin/env node
/**
 * Which inventory design holds tickets fastest without overselling? The bare SQL of three designs on the
 * local Postgres, same workload: 10,000 tickets in three types, buyers each taking 1–4 of one type, until
 * BUYERS attempts are made, with CLIENTS concurrent connections. Prints successful holds/s, latency
 * percentiles and held-versus-capacity (oversell must be 0) for each design.
 *
 *   counter   one conditional UPDATE on the ticket type's row (a hot row; expired holds need a job)
 *   advisory  pretix: transaction-scoped advisory lock per type, count unexpired holds, insert a hold
 *   claim     alf.io: one row per sellable ticket, claimed with FOR UPDATE SKIP LOCKED (expired holds
 *             are claimable again by the same statement, no job needed); three round trips
 *   claim1    the same in one all-or-nothing statement, with the state in `reserved_until` alone
 *             (available = -infinity, held = its expiry, sold = +infinity): claimable is one index
 *             range, `reserved_until <= now()`, expired holds included
 *
 * "selling" throughput counts successful holds over the time until the last one succeeded (the sold-out
 * tail afterwards is fast and would flatter every design).
 *
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) names the server; a scratch
 * database is created and dropped. CLIENTS (default 32,64) may list several concurrency levels.
 */
import postgres from 'postgres'

const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const buyers = Number(process.env.BUYERS ?? 20_000)
const levels = (process.env.CLIENTS ?? '32,64').split(',').map(Number)
const capacities = [6_000, 3_000, 1_000]
const name = `inventory_bench_${Date.now()}`
const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
await admin.unsafe(`create database ${name}`)
const url = new URL(serverUrl)
url.pathname = `/${name}`

async function setup(sql) {
  await sql.unsafe(`
    create table counter_types (id int primary key, capacity int not null, held int not null default 0, check (held <= capacity));
    create table advisory_types (id int primary key, capacity int not null);
    create table advisory_holds (id bigserial primary key, type_id int not null, quantity int not null, expires_at timestamptz not null);
    create index on advisory_holds (type_id, expires_at);
    create table claim_tickets (id bigserial primary key, type_id int not null, status text not null default 'available',
                                reserved_until timestamptz, reservation uuid);
    create index claim_free on claim_tickets (type_id, id) where status in ('available', 'held');
    create table claim1_tickets (id bigserial primary key, type_id int not null,
                                 reserved_until timestamptz not null default '-infinity', reservation uuid);
    create index claim1_claimable on claim1_tickets (type_id, reserved_until);`)
  // (multi-statement strings run as one implicit transaction, so VACUUM goes on its own below)
  for (const [i, capacity] of capacities.entries()) {
    await sql`insert into counter_types (id, capacity) values (${i}, ${capacity})`
    await sql`insert into advisory_types (id, capacity) values (${i}, ${capacity})`
    await sql`insert into claim_tickets (type_id) select ${i} from generate_series(1, ${capacity})`
    await sql`insert into claim1_tickets (type_id) select ${i} from generate_series(1, ${capacity})`
  }
  await sql`vacuum analyze`
}

const designs = {
  async counter(sql, type, quantity) {
    const rows = await sql`update counter_types set held = held + ${quantity}
      where id = ${type} and held + ${quantity} <= capacity returning held`
    return rows.length === 1
  },
  async advisory(sql, type, quantity) {
    return sql.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(${type})`
      const [{ committed }] = await tx`select coalesce(sum(quantity), 0)::int as committed from advisory_holds
        where type_id = ${type} and expires_at > now()`
      const [{ capacity }] = await tx`select capacity from advisory_types where id = ${type}`
      if (committed + quantity > capacity) return false
      await tx`insert into advisory_holds (type_id, quantity, expires_at) values (${type}, ${quantity}, now() + interval '10 minutes')`
      return true
    })
  },
  async claim(sql, type, quantity) {
    // all or nothing: a buyer never gets fewer tickets than asked for
    return sql.begin(async (tx) => {
      const rows = await tx`update claim_tickets set status = 'held', reserved_until = now() + interval '10 minutes',
          reservation = gen_random_uuid()
        where id in (select id from claim_tickets where type_id = ${type}
                       and (status = 'available' or (status = 'held' and reserved_until <= now()))
                     order by id limit ${quantity} for update skip locked)
        returning id`
      if (rows.length < quantity) throw Object.assign(new Error('not enough'), { soldOut: true })
      return true
    }).catch((error) => {
      if (error.soldOut) return false
      throw error
    })
  },
  async claim1(sql, type, quantity) {
    const rows = await sql`
      with picked as (
        select id from claim1_tickets where type_id = ${type} and reserved_until <= now()
        order by reserved_until, id limit ${quantity} for update skip locked),
      enough as (select count(*) = ${quantity} as ok from picked)
      update claim1_tickets t set reserved_until = now() + interval '10 minutes', reservation = gen_random_uuid()
      from picked, enough where t.id = picked.id and enough.ok
      returning t.id`
    return rows.length === quantity
  },
}

async function held(sql, design) {
  if (design === 'counter') return Number((await sql`select sum(held) as n from counter_types`)[0].n)
  if (design === 'advisory') return Number((await sql`select sum(quantity) as n from advisory_holds`)[0].n)
  if (design === 'claim1') return Number((await sql`select count(*) as n from claim1_tickets where reserved_until > now()`)[0].n)
  return Number((await sql`select count(*) as n from claim_tickets where status = 'held'`)[0].n)
}

async function reset(sql) {
  await sql.unsafe(`update counter_types set held = 0; truncate advisory_holds;
    update claim_tickets set status = 'available', reserved_until = null, reservation = null;
    update claim1_tickets set reserved_until = '-infinity', reservation = null;`)
  await sql`vacuum analyze`
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

async function run(design, clients) {
  const sql = postgres(url.toString(), { max: clients, onnotice: () => {} })
  await Promise.all(Array.from({ length: clients }, () => sql`select 1`))
  let next = 0
  let successes = 0
  let lastSuccess = 0
  const latencies = []
  // deterministic mix: types weighted by capacity, quantities 1–4
  const pick = (i) => ({ type: i % 10 < 6 ? 0 : i % 10 < 9 ? 1 : 2, quantity: 1 + ((i * 7) % 4) })
  const started = performance.now()
  await Promise.all(Array.from({ length: clients }, async () => {
    while (next < buyers) {
      const { type, quantity } = pick(next++)
      const t0 = performance.now()
      if (await designs[design](sql, type, quantity)) {
        successes++
        lastSuccess = performance.now()
      }
      latencies.push(performance.now() - t0)
    }
  }))
  const seconds = (performance.now() - started) / 1000
  const total = await held(sql, design)
  await sql.end()
  latencies.sort((a, b) => a - b)
  const capacity = capacities.reduce((a, b) => a + b)
  const sellingSeconds = (lastSuccess - started) / 1000
  console.log(`${design.padEnd(8)} ${String(clients).padStart(4)} clients: selling ${Math.round(successes / sellingSeconds)} holds/s ` +
    `(${successes} holds in ${sellingSeconds.toFixed(2)} s), ` +
    `${Math.round(buyers / seconds)} attempts/s, p50 ${percentile(latencies, 50).toFixed(1)} ms, ` +
    `p95 ${percentile(latencies, 95).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, ` +
    `held ${total}/${capacity}, oversold ${Math.max(0, total - capacity)}`)
  return total <= capacity
}

let ok = true
try {
  const sql = postgres(url.toString(), { max: 1, onnotice: () => {} })
  await setup(sql)
  for (const clients of levels) {
    for (const design of Object.keys(designs)) {
      await reset(sql)
      ok = (await run(design, clients)) && ok
    }
  }
  await sql.end()
} finally {
  await admin.unsafe(`drop database if exists ${name} with (force)`)
  await admin.end()
}
process.exit(ok ? 0 : 1)
