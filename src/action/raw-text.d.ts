/** A file imported as its text (`import text from './file?raw'`): vite and scripts/build.mjs read it so. */
declare module '*?raw' {
  const text: string;
  export default text;
}
