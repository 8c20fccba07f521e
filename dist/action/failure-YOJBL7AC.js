import { createRequire as __omkCreateRequire } from 'node:module';
const require = __omkCreateRequire(import.meta.url);
import{Ga as r,Ha as f,V as a,x as u}from"./chunk-RB4POMCP.js";import{h as s,j as o}from"./chunk-S3TSNOX6.js";import{a as e}from"./chunk-Y2LXA3F7.js";function m(n){if(n instanceof o)return n.issues.map(r).join(`
`);if(n instanceof s){let t=n.hintIn(f);return t===void 0?n.message:`${n.message}
${t}`}return`omk failed unexpectedly: ${n instanceof Error?n.message:String(n)}
This is a bug in omk; please report it with this step's log (rerun with debug logging for the stack).`}e(m,"describeError");function g(n){return`# ${a.failed} omk failed

${u(n).join(`
`)}
`}e(g,"renderFailureSummary");function l(n){let i=m(n),t=!(n instanceof s)&&n instanceof Error;return{failure:i,summary:g(i),stack:t?n.stack:void 0}}e(l,"failureReport");export{m as describeError,l as failureReport,g as renderFailureSummary};
