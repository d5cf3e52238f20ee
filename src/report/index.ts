export { buildReportData, type ReportData, type ReportEntry, type ReportOptions, type CostCurve, type CostChart, type CostPoint, type ContestedItem } from './report-data.js';
export { renderHtmlReport } from './render-html.js';
export { modelCosts, type ModelCost } from './model-costs.js';
export { paretoFront } from './pareto.js';
export { htmlPage, type HtmlPage } from './html-page.js';
export { biasNoiseChart, esc, scoreScatter, stackedBars, type ScoredPoint } from './svg.js';
