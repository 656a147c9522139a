// SPDX-License-Identifier: GPL-2.0-or-later
// See inerttext.h.
#include "engine/inerttext.h"

#include <QChar>

using namespace Qt::StringLiterals;

namespace InertText {

namespace {
QString escape(char32_t c)
{
    if (c < 0x100)
        return u"\\x"_s + QString::number(uint(c), 16).rightJustified(2, u'0');
    if (c < 0x10000)
        return u"\\u"_s + QString::number(uint(c), 16).rightJustified(4, u'0');
    return u"\\U"_s + QString::number(uint(c), 16).rightJustified(8, u'0');
}

QString inert(QStringView text, bool keepLayout)
{
    QString out;
    out.reserve(text.size());
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar ch = text.at(i);
        char32_t c = ch.unicode();
        qsizetype width = 1;
        if (ch.isHighSurrogate() && i + 1 < text.size() && text.at(i + 1).isLowSurrogate()) {
            c = QChar::surrogateToUcs4(ch, text.at(i + 1));
            width = 2;
        }
        if (keepLayout && (c == u'\n' || c == u'\t'))
            out.append(ch);
        else if (isHidden(c))
            out.append(escape(c));
        else
            out.append(text.mid(i, width));
        i += width - 1;
    }
    return out;
}
} // namespace

bool isHidden(char32_t c)
{
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f))
        return true;
    if (c >= 0xd800 && c <= 0xdfff) // only lone ones get here
        return true;
    switch (QChar::category(c)) {
    case QChar::Other_Format: // U+200B-U+200F, U+202A-U+202E, U+2060-U+2069, U+061C, U+FEFF, tags, ...
    case QChar::Separator_Line:
    case QChar::Separator_Paragraph:
        return true;
    default:
        break;
    }
    // Invisible but not "format" in Unicode's categories: fillers that render as blank space.
    return c == 0x115f || c == 0x1160 || c == 0x3164 || c == 0xffa0 || c == 0x180e;
}

QString line(QStringView text)
{
    return inert(text, false);
}

QString block(QStringView text)
{
    return inert(text, true);
}

} // namespace InertText
