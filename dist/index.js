import { createRequire as __omkCreateRequire } from 'node:module';
const require = __omkCreateRequire(import.meta.url);
import{a as m}from"./action/chunk-7P7ZZDDN.js";import{a as c,f,o as l,p as d}from"./action/chunk-GR7UGWK2.js";import{f as s,h as u,ja as p,pa as g}from"./action/chunk-7IZRUXCT.js";import{a as i}from"./action/chunk-Y2LXA3F7.js";function w(n){if(n instanceof u)return n.issues.map(l).join(`
`);if(n instanceof s){let e=n.hintIn(d);return e===void 0?n.message:`${n.message}
${e}`}return`omk failed unexpectedly: ${n instanceof Error?n.message:String(n)}
This is a bug in omk; please report it with this step's log (rerun with debug logging for the stack).`}i(w,"describeError");function S(n){return`# ${g.failed} omk failed

${p(n).join(`
`)}
`}i(S,"renderFailureSummary");async function k(n){let{core:o}=n,e,r;try{for(let y of["github-token","ci-token"]){let a=o.getInput(y).trim();if(a!=="")for(let E of f(a))o.setSecret(E)}let{runStep:t}=await import("./action/step-3BKQCD7F.js");({summary:e,failure:r}=await t(n))}catch(t){r=w(t),e=S(r),!(t instanceof s)&&t instanceof Error&&t.stack!==void 0&&o.debug(t.stack)}n.env.GITHUB_STEP_SUMMARY&&await o.writeSummary(e).catch(t=>{o.warning(`could not write the job summary: ${t instanceof Error?t.message:String(t)}`)}),r!==null&&o.setFailed(r)}i(k,"runAction");async function h(){await k({core:m(),env:process.env,cwd:process.cwd(),signals:c()})}i(h,"run");await h();
