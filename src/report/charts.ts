// The report page's own script, as text inlined after uPlot: it reads the
// run's data from a JSON script tag and draws each chart, marking its
// container data-drawn="true" once uPlot has drawn it (the browser test
// checks that, and that the canvas is not blank).

export const CHARTS_SCRIPT = String.raw`
(function () {
  var data = JSON.parse(document.getElementById('run-data').textContent);
  var width = Math.min(960, document.body.clientWidth - 32);
  var colours = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
  function drawn(u) { u.root.parentElement.setAttribute('data-drawn', 'true'); }
  function lines(id, x, series, yLabel) {
    var element = document.getElementById(id);
    if (!element) return;
    var options = {
      width: width, height: 260,
      scales: { x: { time: false } },
      axes: [{ label: 'seconds since the start' }, { label: yLabel }],
      series: [{ label: 's' }].concat(series.map(function (s, i) { return { label: s.label, stroke: colours[i % colours.length], width: 1.5, spanGaps: false }; })),
      hooks: { draw: [drawn] },
    };
    new uPlot(options, [x].concat(series.map(function (s) { return s.values; })), element);
  }
  function bars(id, names, values, yLabel) {
    var element = document.getElementById(id);
    if (!element) return;
    var x = names.map(function (_, i) { return i; });
    var options = {
      width: width, height: 260,
      scales: { x: { time: false, range: [-0.5, names.length - 0.5] } },
      axes: [
        { splits: function () { return x; }, values: function (u, splits) { return splits.map(function (i) { return names[i] === undefined ? '' : names[i]; }); } },
        { label: yLabel },
      ],
      series: [{}, { label: yLabel, fill: '#1f77b4aa', stroke: '#1f77b4', paths: uPlot.paths.bars({ size: [0.6, 80] }), points: { show: false } }],
      hooks: { draw: [drawn] },
    };
    new uPlot(options, [x, values], element);
  }
  var points = data.series;
  var t = points.map(function (p) { return p.t; });
  lines('throughput', t, [
    { label: 'produced/s', values: points.map(function (p) { return p.producedTps; }) },
    { label: 'processed/s', values: points.map(function (p) { return p.processedTps; }) },
  ], 'transactions per second');
  lines('lag', t, [{ label: 'lag', values: points.map(function (p) { return p.lag; }) }], 'messages');
  lines('latency', t, [
    { label: 'p50', values: points.map(function (p) { return p.p50Ms; }) },
    { label: 'p95', values: points.map(function (p) { return p.p95Ms; }) },
    { label: 'p99', values: points.map(function (p) { return p.p99Ms; }) },
  ], 'ms');
  var reasons = data.declineReasons.length === 0 ? ['none'] : data.declineReasons;
  lines('declines', t, reasons.map(function (reason) {
    return { label: reason, values: points.map(function (p) { return p.declined[reason] || 0; }) };
  }), 'declined per second');
  bars('types', data.types.names, data.types.counts, 'transactions');
  bars('hours', data.hours.names, data.hours.shares, '% of transactions');
  bars('fraud', data.fraud.names, data.fraud.shares, '% of transactions');
})();
`;
