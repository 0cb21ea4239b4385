// What a scan needs once the engine has answered, as one module: the kernel readers, the join, the rules and the report.
// One dynamic import instead of six: the bundle then gives the scan's code fewer, larger chunks (22 files loaded by a JSON
// scan instead of 29), and each chunk costs the ES loader a resolve, a read, a code-cache lookup and a link.
export * from '../collect/scan.js';
export * from '../kernel-source.js';
export * from '../assess.js';
export * from '../rules/catalogue.js';
export * from '../rules/score.js';
export * from '../report/render.js';
