// bottleneck's light build (no Redis clustering) is the one @octokit/plugin-throttling bundles;
// it has the full build's API for what omk uses (Group, minTime, maxConcurrent).
declare module 'bottleneck/light.js' {
  import Bottleneck from 'bottleneck';
  export default Bottleneck;
}
