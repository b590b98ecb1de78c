/**
 * The whole stylesheet, inlined in every page: on 2G each extra request costs a round trip of half a
 * second or more, and this is smaller than the headers of a second request would be.
 *
 * shellStyles is the layout's own part (header, text, notices, buttons, footer): alone, it styles the pages
 * that need nothing more and are loaded again and again (the waiting room's, every few seconds, in a crowd).
 */
export const shellStyles = `
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f23;background:#f6f7f9}
a{color:#0b5cad}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:4px 8px}
header.top{background:#0f5132;color:#fff}
header.top .bar{display:flex;align-items:center;justify-content:space-between;gap:8px;max-width:960px;margin:0 auto;padding:10px 16px}
header.top a{color:#fff;text-decoration:none}
.brand{font-weight:700;font-size:1.15rem}
.langs{font-size:.9rem}.langs a{margin-left:10px}.langs [aria-current]{text-decoration:underline;font-weight:600}
main{max-width:960px;margin:0 auto;padding:16px}
h1{font-size:1.4rem;margin:.2em 0 .6em}
h2{font-size:1.1rem;margin:1.2em 0 .4em}
.muted{color:#57606a}
.notice{background:#fff8c5;border:1px solid #d4a72c;border-radius:8px;padding:10px 12px}
.error{background:#fff;border:1px solid #d8dee4;border-radius:8px;padding:16px}
header.top .sub{padding-top:0;justify-content:flex-end}
nav.account{display:flex;flex-wrap:wrap;gap:4px 14px;align-items:center;font-size:.9rem}
nav.account form{margin:0}
button.link{background:none;border:0;padding:0;color:#fff;font:inherit;text-decoration:underline;cursor:pointer;min-height:0}
button,.button{font:inherit;font-weight:600;background:#0f5132;color:#fff;border:0;border-radius:6px;padding:10px 16px;min-height:44px;cursor:pointer;text-decoration:none;display:inline-block}
button.secondary,.button.secondary{background:#fff;color:#0f5132;border:1px solid #0f5132}
button.danger{background:#fff;color:#a40e26;border:1px solid #a40e26}
.notice.error{background:#ffebe9;border-color:#cf222e}.notice.success{background:#dafbe1;border-color:#2da44e}
footer{max-width:960px;margin:24px auto;padding:0 16px;font-size:.85rem;color:#57606a}
`.replace(/\n/g, '')

export const styles = shellStyles + `
.cards{list-style:none;margin:0;padding:0;display:grid;gap:12px}
@media(min-width:640px){.cards{grid-template-columns:1fr 1fr}}
.card{background:#fff;border:1px solid #d8dee4;border-radius:8px;padding:12px 14px}
.card h2{margin:0 0 4px;font-size:1.05rem}
.card a{text-decoration:none}
.card .meta{font-size:.9rem;color:#57606a;margin:0}
.price{font-weight:600;color:#0f5132}
.tiers{list-style:none;padding:0;margin:0;display:grid;gap:8px}
.tier{background:#fff;border:1px solid #d8dee4;border-radius:8px;padding:10px 12px;display:flex;justify-content:space-between;gap:8px;flex-wrap:wrap}
.badge{display:inline-block;font-size:.8rem;padding:1px 8px;border-radius:10px;background:#eef1f4;color:#24292f}
.badge.out{background:#ffebe9;color:#a40e26}
.narrow{max-width:420px}
.stack{display:grid;gap:10px;margin:0 0 12px}
.field{margin:0;display:grid;gap:4px}
.field label,legend{font-weight:600;font-size:.95rem}
input,select{font:inherit;padding:10px;border:1px solid #8c959f;border-radius:6px;width:100%;background:#fff;min-height:44px}
input[type=checkbox],input[type=radio]{width:auto;min-height:0}label.choice{display:flex;gap:8px;align-items:center;padding:6px 0}
.check{display:block;padding:4px 0}
fieldset{border:1px solid #d8dee4;border-radius:6px;padding:8px 12px;margin:0}
.field.invalid input{border-color:#cf222e}
.field-error{color:#a40e26;font-size:.9rem}
.actions{display:flex;gap:8px;flex-wrap:wrap;margin:8px 0}.actions form{margin:0}
form.inline{display:flex;gap:8px;align-items:center;flex-wrap:wrap}form.inline input{width:6em}
textarea{font:inherit;padding:10px;border:1px solid #8c959f;border-radius:6px;width:100%}
details>summary{cursor:pointer;font-weight:600;padding:6px 0;color:#0b5cad}
img.poster{display:block;width:100%;height:auto;aspect-ratio:4/3;object-fit:contain;background:#eef1f4;border-radius:8px;margin:8px 0}
form.pay{margin:0 0 12px}
form.search{display:grid;grid-template-columns:1fr 1fr auto;gap:8px;align-items:end;margin:0 0 12px}
@media(max-width:480px){form.search{grid-template-columns:1fr 1fr}form.search button{grid-column:span 2}}
label.qty{display:flex;align-items:center;gap:8px;width:100%;font-size:.95rem}label.qty input{width:5em}
.countdown{font-size:1.2rem;font-weight:700;color:#0f5132}
.qr{max-width:280px;margin:8px auto}.qr svg{display:block;width:100%;height:auto}
svg.template-diagram{display:block;width:100%;max-width:298px;height:auto}.template-layout{display:grid;gap:16px;align-items:start}
@media(min-width:720px){.template-layout{grid-template-columns:300px 1fr}}
pre.body{white-space:pre-wrap;word-break:break-word;font:inherit;margin:0}
`.replace(/\n/g, '')
