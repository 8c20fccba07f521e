import { createRequire as __omkCreateRequire } from 'node:module';
const require = __omkCreateRequire(import.meta.url);
import{a}from"./chunk-UJZ7GZ3S.js";import"./chunk-Y2LXA3F7.js";export default a();
