import { createRequire as __omkCreateRequire } from 'node:module';
const require = __omkCreateRequire(import.meta.url);
import{Da as u,Ma as a,Oa as m,ia as o}from"./chunk-ZSZK7NTM.js";import{i}from"./chunk-XAY3PVGK.js";import{a as s}from"./chunk-Y2LXA3F7.js";function f(n){if(n instanceof i){let{message:e,hint:r}=o(n,m,a);return r===void 0?e:`${e}
${r}`}return`omk failed unexpectedly: ${n instanceof Error?n.message:String(n)}
This is a bug in omk; please report it with this step's log (rerun with debug logging for the stack).`}s(f,"describeError");function p(n){let t=f(n),e=!(n instanceof i)&&n instanceof Error;return{failure:t,summary:u(t),stack:e?n.stack:void 0}}s(p,"failureReport");export{f as describeError,p as failureReport};
