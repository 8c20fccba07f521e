import { createRequire as __omkCreateRequire } from 'node:module';
const require = __omkCreateRequire(import.meta.url);
import{fa as a,na as o,oa as m}from"./chunk-WSYT57GC.js";import{h as i,j as u}from"./chunk-S3TSNOX6.js";import{a as e}from"./chunk-Y2LXA3F7.js";function f(n){if(n instanceof u)return n.issues.map(o).join(`
`);if(n instanceof i){let s=n.hintIn(m);return s===void 0?n.message:`${n.message}
${s}`}return`omk failed unexpectedly: ${n instanceof Error?n.message:String(n)}
This is a bug in omk; please report it with this step's log (rerun with debug logging for the stack).`}e(f,"describeError");function d(n){let t=f(n),s=!(n instanceof i)&&n instanceof Error;return{failure:t,summary:a(t),stack:s?n.stack:void 0}}e(d,"failureReport");export{f as describeError,d as failureReport};
