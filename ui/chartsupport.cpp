// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/chartsupport.h"

#include <array>
#include <cmath>

using namespace Qt::StringLiterals;

namespace ChartSupport {

QList<double> niceTicks(double low, double high, int targetCount)
{
    if (!std::isfinite(low) || !std::isfinite(high))
        return { 0, 1 };
    if (high < low)
        std::swap(low, high);
    if (high == low)
        high = low + 1;
    const double raw = (high - low) / qMax(1, targetCount);
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    double step = magnitude;
    for (const double factor : { 1.0, 2.0, 5.0, 10.0 }) {
        step = factor * magnitude;
        if (step >= raw)
            break;
    }
    QList<double> ticks;
    const double first = std::floor(low / step + 1e-9) * step;
    for (double tick = first; ticks.size() < 100; tick += step) {
        // Round away the error that adding steps accumulates (0.30000000000000004).
        ticks.append(std::round(tick / step) * step);
        if (tick >= high - step * 1e-9)
            break;
    }
    return ticks;
}

QString compactNumber(double value)
{
    const double magnitude = std::abs(value);
    if (magnitude < 10000) {
        if (value == std::round(value))
            return QString::number(qint64(value));
        return QString::number(value, 'g', magnitude < 1 ? 2 : 3);
    }
    static constexpr std::array<std::pair<double, char16_t>, 5> units { {
        { 1e18, u'E' },
        { 1e15, u'P' },
        { 1e12, u'T' },
        { 1e9, u'G' },
        { 1e6, u'M' },
    } };
    double divisor = 1e3;
    char16_t unit = u'K';
    for (const auto &[size, letter] : units) {
        if (magnitude >= size) {
            divisor = size;
            unit = letter;
            break;
        }
    }
    const double scaled = value / divisor;
    // Three significant digits at most: 1.25M, 12.5M, 125M.
    const int decimals = std::abs(scaled) >= 100 ? 0 : (std::abs(scaled) >= 10 ? 1 : 2);
    QString text = QString::number(scaled, 'f', decimals);
    if (text.contains(u'.')) {
        while (text.endsWith(u'0'))
            text.chop(1);
        if (text.endsWith(u'.'))
            text.chop(1);
    }
    return text + unit;
}

QString secondsText(double seconds, double step)
{
    int decimals = 0;
    while (
        decimals < 3 && std::abs(step * std::pow(10.0, decimals) - std::round(step * std::pow(10.0, decimals))) > 1e-6)
        ++decimals;
    return QString::number(seconds, 'f', decimals);
}

QColor lineColor(int index)
{
    // Okabe and Ito's palette, without its black and yellow (too close to text and background),
    // then the same hues darker.
    static constexpr std::array<QRgb, 6> base { 0x0072B2, 0xE69F00, 0x009E73, 0xD55E00, 0xCC79A7, 0x56B4E9 };
    const QColor color = QColor::fromRgb(base.at(std::size_t(index) % base.size()));
    return index < int(base.size()) ? color : color.darker(150);
}

QColor sequentialColor(double fraction)
{
    // Stops along viridis: perceptually even steps, readable in grey and with colour blindness.
    static constexpr std::array<QRgb, 9> stops { 0x440154, 0x472D7B, 0x3B528B, 0x2C728E, 0x21918C, 0x28AE80, 0x5EC962,
        0xADDC30, 0xFDE725 };
    const double position = qBound(0.0, fraction, 1.0) * double(stops.size() - 1);
    const auto low = std::size_t(std::floor(position));
    const std::size_t high = qMin(low + 1, stops.size() - 1);
    const double t = position - double(low);
    const QColor a = QColor::fromRgb(stops.at(low));
    const QColor b = QColor::fromRgb(stops.at(high));
    return QColor::fromRgbF(float(a.redF() + (b.redF() - a.redF()) * t),
        float(a.greenF() + (b.greenF() - a.greenF()) * t), float(a.blueF() + (b.blueF() - a.blueF()) * t));
}

} // namespace ChartSupport

#include "engine/results/mapresult.h"

#include <QCoreApplication>

namespace ChartSupport {

QString shortKeyText(const MapKey &key)
{
    QStringList parts;
    for (const MapKeyPart &part : key.parts) {
        if (part.type == MapKeyPart::Type::Stack)
            parts.append(part.stack.frames.isEmpty() ? QCoreApplication::translate("ChartSupport", "(empty stack)")
                                                     : part.stack.frames.constFirst().text());
        else
            parts.append(part.text);
    }
    return parts.join(u", "_s);
}

QString stackText(const CallStack &stack)
{
    QStringList lines;
    lines.append(stack.space == CallStack::Space::Kernel
            ? QCoreApplication::translate("ChartSupport", "Kernel stack, innermost first:")
            : QCoreApplication::translate("ChartSupport", "User stack, innermost first:"));
    for (const StackFrame &frame : stack.frames)
        lines.append(u"  "_s + frame.text());
    return lines.join(u'\n');
}

} // namespace ChartSupport
