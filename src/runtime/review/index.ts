// The review step's public surface: pure functions from a slice's captured change to findings.

export { controllerReview, LARGE_DIFF_FILES, LARGE_DIFF_LINES } from './controller.js';
export { isTestPath } from './files.js';
export { GATE_DEFINITION_EDITED, gateDefinitionPaths, gateDefinitionReview } from './gate-definitions.js';
export { hasBlocking, type ReviewInput, sortFindings } from './input.js';
export { renderReviewMarkdown } from './render.js';
export { reviewScope } from './scope.js';
export { securityReview } from './security.js';
export { goalAsksToRemoveTests, testsWeakenedReview } from './tests-weakened.js';
