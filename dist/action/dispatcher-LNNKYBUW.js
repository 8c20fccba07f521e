import { createRequire as __omkCreateRequire } from 'node:module';
const require = __omkCreateRequire(import.meta.url);
import{a}from"./chunk-C57H4FA2.js";import"./chunk-Y2LXA3F7.js";export default a();
