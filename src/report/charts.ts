// The report page's own script, as text inlined after uPlot: it reads the
// run's data from a JSON script tag and draws each chart, marking its
// container data-drawn="true" once uPlot has drawn it (the browser test
// checks that, and that the canvas is not blank). A run with simulated time
// has simulated dates (UTC) on its time axes; money arrives as decimal
// strings, plotted as numbers (pixels only) and shown as its text in the
// currency's minor units.

export const CHARTS_SCRIPT = String.raw`
(function () {
  var data = JSON.parse(document.getElementById('run-data').textContent);
  var width = Math.min(960, document.body.clientWidth - 32);
  var colours = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
  var utc = function (seconds) { return uPlot.tzDate(new Date(seconds * 1e3), 'Etc/UTC'); };
  var simulated = data.simulatedTime;
  var runAxis = simulated
    ? { time: true, label: 'simulated time (UTC)', legend: 'simulated time (UTC)' }
    : { time: false, label: 'seconds since the start', legend: 's' };
  var dayAxis = { time: true, label: 'simulated date (UTC)', legend: 'simulated date (UTC)' };
  function drawn(u) { u.root.parentElement.setAttribute('data-drawn', 'true'); }
  function lines(id, x, series, yLabel, axis) {
    var element = document.getElementById(id);
    if (!element) return;
    axis = axis || runAxis;
    var options = {
      width: width, height: 260, tzDate: utc,
      scales: { x: { time: axis.time } },
      axes: [{ label: axis.label }, { label: yLabel, size: 70 }],
      series: [{ label: axis.legend }].concat(series.map(function (s, i) {
        var line = { label: s.label, stroke: colours[i % colours.length], width: 1.5, spanGaps: false };
        if (s.shown) line.value = function (u, value, seriesIndex, index) { return index === null || index === undefined ? '' : s.shown[index]; };
        if (axis === dayAxis) line.points = { show: true, size: 6 };
        return line;
      })),
      hooks: { draw: [drawn] },
    };
    new uPlot(options, [x].concat(series.map(function (s) { return s.values; })), element);
  }
  // Decimal text in the currency's minor units, more digits only when it has them (as displayAmount does).
  function money(text, minorUnits) {
    if (text === null) return '–';
    var parts = text.split('.');
    var fraction = (parts[1] || '').replace(/0+$/, '');
    while (fraction.length < minorUnits) fraction += '0';
    return fraction === '' ? parts[0] : parts[0] + '.' + fraction;
  }
  function moneySeries(label, texts, minorUnits) {
    return {
      label: label,
      values: texts.map(function (text) { return text === null ? null : Number(text); }), // pixels, not money kept
      shown: texts.map(function (text) { return money(text, minorUnits); }),
    };
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
  var t = points.map(function (p) { return simulated ? simulated.startSeconds + p.t * simulated.speed : p.t; });
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
  var economy = data.economy;
  if (economy) {
    lines('declined-by-day', economy.days, [
      { label: 'declined %', values: economy.declinedPercent },
      { label: 'purchases declined insufficient_funds %', values: economy.insufficientFundsPercent },
    ], '%', dayAxis);
    lines('money-by-day', economy.days, [
      moneySeries('in (' + economy.currency + ')', economy.moneyIn, economy.minorUnits),
      moneySeries('out (' + economy.currency + ')', economy.moneyOut, economy.minorUnits),
    ], economy.currency, dayAxis);
    lines('balance-by-day', economy.days, [moneySeries('median balance (' + economy.currency + ')', economy.medianBalance, economy.minorUnits)], economy.currency, dayAxis);
  }
  bars('types', data.types.names, data.types.counts, 'transactions');
  bars('hours', data.hours.names, data.hours.shares, '% of transactions');
  bars('fraud', data.fraud.names, data.fraud.shares, '% of transactions');
})();
`;
