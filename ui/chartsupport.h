// SPDX-License-Identifier: GPL-2.0-or-later
// What the charts over time share: axis ticks at round numbers, compact numbers, and colours
// (lines told apart, counts on a perceptual scale).
#pragma once

#include <QColor>
#include <QList>
#include <QString>

namespace ChartSupport {
/// Ticks at 1, 2 or 5 times a power of ten that cover [low, high] with about `targetCount` steps
/// (the first tick at or below low, the last at or above high).
QList<double> niceTicks(double low, double high, int targetCount = 5);
/// 950, 1.2K, 34M, 5.6G: short enough for an axis; integers below 10,000 as they are.
QString compactNumber(double value);
/// Seconds for the time axis: "0", "2.5", "120"; as many decimals as the tick step needs.
QString secondsText(double seconds, double step);
/// The colour of line `index` (told apart also by people with the common colour blindnesses).
QColor lineColor(int index);
/// A perceptual sequential palette (dark blue through green to yellow) at `fraction` in [0, 1].
QColor sequentialColor(double fraction);
} // namespace ChartSupport

struct CallStack;
struct MapKey;

namespace ChartSupport {
/// A key on one line for legends and tables: parts joined by ", ", a stack as its innermost frame.
QString shortKeyText(const MapKey &key);
/// A stack one frame per line, innermost first, with kernel/user said.
QString stackText(const CallStack &stack);
} // namespace ChartSupport
