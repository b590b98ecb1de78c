/**
 * Charts drawn on the server as SVG: no chart library goes to the browser. Each chart scales to its
 * container (viewBox), carries a text summary for assistive technology, and comes with its numbers as
 * a table (in a disclosure, so a phone screen is not filled by 72 rows).
 */
import type { Child } from 'hono/jsx'

export interface Point {
  label: string
  value: number
}

const W = 360
const H = 170
const PAD = { left: 40, right: 8, top: 10, bottom: 30 }

/** A round upper bound for the axis: 1, 2, 5 × 10ⁿ. */
export function niceMax(value: number): number {
  if (value <= 0) return 1
  const power = 10 ** Math.floor(Math.log10(value))
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power
  return 10 * power
}

function compact(value: number): string {
  if (value >= 1_000_000) return `${Math.round(value / 100_000) / 10}M`
  if (value >= 1_000) return `${Math.round(value / 100) / 10}k`
  return String(Math.round(value * 10) / 10)
}

export interface ChartProps {
  id: string
  title: string
  /** One sentence saying what the chart shows (its total, its peak). */
  summary: string
  points: Point[]
  /** How a value reads in the table (money, counts). */
  format: (value: number) => string
  labelHeader: string
  valueHeader: string
  tableLabel: string
  empty: string
}

/** Vertical bars, one per point; at most ~8 axis labels so they never overlap at 360 px. */
export function BarChart(props: ChartProps) {
  const { id, title, summary, points, format, labelHeader, valueHeader, tableLabel, empty } = props
  if (points.length === 0) return <figure class="chart" id={id}><figcaption>{title}</figcaption><p class="muted">{empty}</p></figure>
  const max = niceMax(Math.max(...points.map((p) => p.value)))
  const plotW = W - PAD.left - PAD.right
  const plotH = H - PAD.top - PAD.bottom
  const slot = plotW / points.length
  const barW = Math.max(1, slot * 0.8)
  const every = Math.max(1, Math.ceil(points.length / 6))
  const y = (value: number) => PAD.top + plotH - (value / max) * plotH
  return (
    <figure class="chart" id={id}>
      <figcaption id={`${id}-title`}>{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-title ${id}-summary`} class="chart-svg">
        <desc id={`${id}-summary`}>{summary}</desc>
        {[0, 0.5, 1].map((f) => (
          <g>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(max * f)} y2={y(max * f)} stroke="#d8dee4" stroke-width="1" />
            <text x={PAD.left - 4} y={y(max * f) + 4} text-anchor="end" font-size="10" fill="#57606a">{compact(max * f)}</text>
          </g>
        ))}
        {points.map((p, i) => {
          const h = (p.value / max) * plotH
          return <rect x={PAD.left + i * slot + (slot - barW) / 2} y={PAD.top + plotH - h} width={barW} height={Math.max(h, p.value > 0 ? 1 : 0)} fill="#1a7f37"><title>{`${p.label}: ${format(p.value)}`}</title></rect>
        })}
        {points.map((p, i) => i % every === 0
          ? <text x={PAD.left + i * slot + slot / 2} y={H - PAD.bottom + 14} text-anchor="middle" font-size="10" fill="#24292f">{p.label}</text>
          : null)}
      </svg>
      <DataTable label={tableLabel} labelHeader={labelHeader} valueHeader={valueHeader}
        rows={points.map((p) => [p.label, format(p.value)])} />
    </figure>
  )
}

export interface MeterRow {
  label: string
  /** Stacked parts (sold, held), drawn left to right against the whole. */
  parts: number[]
  whole: number
  text: string
}

/** Horizontal bars against a whole (sold and held of capacity; shares of a total). */
export function MeterChart({ id, title, summary, rows, colors = ['#1a7f37', '#bf8700'], legend }: {
  id: string; title: string; summary: string; rows: MeterRow[]; colors?: string[]; legend?: Child
}) {
  const rowH = 34
  const height = Math.max(rows.length * rowH, rowH)
  const barX = 0
  const barW = W
  return (
    <figure class="chart chart-meter" id={id}>
      <figcaption id={`${id}-title`}>{title}</figcaption>
      {legend}
      <svg viewBox={`0 0 ${W} ${height}`} role="img" aria-labelledby={`${id}-title ${id}-summary`} class="chart-svg">
        <desc id={`${id}-summary`}>{summary}</desc>
        {rows.map((row, i) => {
          let x = barX
          return (
            <g>
              <text x={0} y={i * rowH + 11} font-size="11" fill="#24292f">{`${row.label} · ${row.text}`}</text>
              <rect x={barX} y={i * rowH + 16} width={barW} height={10} fill="#eef1f4" rx="2" />
              {row.parts.map((part, k) => {
                const w = row.whole > 0 ? (Math.min(part, row.whole) / row.whole) * barW : 0
                const rect = <rect x={x} y={i * rowH + 16} width={w} height={10} fill={colors[k % colors.length]} />
                x += w
                return rect
              })}
            </g>
          )
        })}
      </svg>
    </figure>
  )
}

/** The chart's numbers as a table, collapsed under a summary line. */
export function DataTable({ label, labelHeader, valueHeader, rows }: { label: string; labelHeader: string; valueHeader: string | string[]; rows: string[][] }) {
  const headers = Array.isArray(valueHeader) ? valueHeader : [valueHeader]
  return (
    <details class="chart-data">
      <summary>{label}</summary>
      <table class="dash">
        <thead><tr><th scope="col">{labelHeader}</th>{headers.map((h) => <th scope="col" class="num">{h}</th>)}</tr></thead>
        <tbody>{rows.map(([first, ...rest]) => <tr><th scope="row">{first}</th>{rest.map((cell) => <td class="num">{cell}</td>)}</tr>)}</tbody>
      </table>
    </details>
  )
}
