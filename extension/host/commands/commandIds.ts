/** Every command the extension contributes; the ids here and in package.json's contributes must match. */
export enum CommandId {
  RunAudit = 'policytrace.runAudit',
  CancelAudit = 'policytrace.cancelAudit',
  CreateAuditSpec = 'policytrace.createAuditSpec',
  SelectCheckpoint = 'policytrace.selectCheckpoint',
  SelectTrainingData = 'policytrace.selectTrainingData',
  AuditHypothesis = 'policytrace.auditHypothesis',
  OpenPanel = 'policytrace.openPanel',
  OpenReport = 'policytrace.openReport',
  VerifyByRetraining = 'policytrace.verifyByRetraining',
  ExportCuratedDataset = 'policytrace.exportCuratedDataset',
  ExportReport = 'policytrace.exportReport',
  ShowLogs = 'policytrace.showLogs',
  ClearCache = 'policytrace.clearCache',
  OpenDemo = 'policytrace.openDemo',
  // Internal (used by the tree, CodeLens and quick fixes; hidden from the palette).
  OpenSource = 'policytrace.openSource',
  AddToExclusions = 'policytrace.addToExclusions',
  ShowInPanel = 'policytrace.showInPanel',
}
