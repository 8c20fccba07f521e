// What the front doors show of a goal's results: the proof as text and Markdown, icons, Markdown
// for untrusted text, gaps and request issues in words, check runs and annotations.

export { gateAnnotationLevel, gateOutputAnnotations } from '../delivery/annotations.js';
export { renderCheckSummary } from '../delivery/check-run.js';
export { renderDeliveryPlanMarkdown } from '../delivery/plan-markdown.js';
export { renderDoctorText } from '../doctor/render-text.js';
export { fixWords, rateLimitWords } from '../events/fix-words.js';
export {
  dryRunSection,
  finalSummary,
  gatesLine,
  notesList,
  progressSection,
  pullRequestsTable,
  slicesTable,
  stopWords,
  wavesTable,
} from '../markdown/goal-sections.js';
export {
  renderFailureSummary,
  renderStepSummary,
  type StepSummary,
} from '../markdown/job-summary.js';
export { plainMessage } from '../markdown/plain-words.js';
export { code, link, quote, text } from '../markdown/untrusted.js';
export { visibleMarkdown } from '../markdown/visible.js';
export { NEUTRAL_STEPS, type StepSpelling } from '../next-steps.js';
export { gapText } from '../proof/gaps.js';
export { OUTCOME_ICONS, STATUS_ICONS } from '../proof/icons.js';
export { renderProofMarkdown } from '../proof/render-markdown.js';
export {
  formatBudget,
  gateOutcomeLabel,
  OUTCOME_LABELS,
  outcomeWords,
  renderProofText,
  STATUS_LABELS,
  shortSha,
} from '../proof/render-text.js';
export {
  describeIssue,
  describeIssues,
  type FieldSpelling,
  NEUTRAL_SPELLING,
  opensWithName,
} from '../request-issue-text.js';
export { tokensAmount, usdAmount } from '../text/amounts.js';
export { clip } from '../text/clip.js';
export { formatDuration } from '../text/duration.js';
export { SANDBOX_OFF_IN_CONFIG } from './command-words.js';
// h-cli
export { demoBaselineLines, demoFailureText, demoPlanLine, renderDemoText } from './demo-text.js';
export { type UnscrubbedEnviron, unscrubbedWarning } from './environ-words.js';
export { eventWords, gateWords } from './event-words.js';
export {
  renderBudgetText,
  renderCleanedText,
  renderCreatedText,
  renderDeliveredText,
  renderExecutedText,
  renderFixText,
  renderHudText,
  renderListText,
  renderMergeText,
  renderResumedText,
  renderShowText,
  renderStatusText,
  renderTransitionText,
} from './goal-text.js';
export {
  hasEnded,
  readStatusMarker,
  renderStatusComment,
  type StatusCommentView,
  statusMarker,
} from './status-comment.js';
// h-bot
export {
  accessRefusal,
  budgetNotes,
  continuationNote,
  deliveryNotes,
  failureNotes,
  fixElsewhere,
  mergeNotes,
  notOnStateBranch,
  threadNoteLines,
  transitionNote,
  untrustedAgentLines,
} from './thread-words.js';
export {
  agentLineChanges,
  renderEventLine,
  renderGateTail,
  renderWatchView,
  stopLines,
} from './watch-text.js';
