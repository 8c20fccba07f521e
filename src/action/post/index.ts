// The post step's entry (dist/post.js, action.yml `post:`): runs at the end of the job.
import { run } from './main.js';

await run();
