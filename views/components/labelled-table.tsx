import type { Child } from 'hono/jsx'
import { raw } from 'hono/html'
import { reconciliationStyles } from '../payments/reconciliation-page.tsx'

/** The styles a labelled table needs; a page includes them once, before its first table. */
export function LabelledTableStyles() {
  return <style>{raw(reconciliationStyles)}</style>
}

/**
 * A table of figures that stays readable on a 360 px phone: below 1100 px each row becomes a card of
 * label/value lines, the label being the cell's column (the reconciliation page's layout).
 */
export function LabelledTable({ id, headers, rows }: { id?: string; headers: string[]; rows: Child[][] }) {
  return (
    <div class="recon-wrap">
      <table class="recon" id={id}>
        <thead><tr>{headers.map((header) => <th scope="col">{header}</th>)}</tr></thead>
        <tbody>{rows.map((cells) => <tr>{cells.map((cell, i) => <td data-label={headers[i]}>{cell}</td>)}</tr>)}</tbody>
      </table>
    </div>
  )
}
