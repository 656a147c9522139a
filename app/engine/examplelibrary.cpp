// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/examplelibrary.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <algorithm>

using namespace Qt::StringLiterals;

std::optional<Example> ExampleLibrary::parse(const QString &name, const QString &text)
{
    Example example;
    example.name = name;
    example.script = text;
    // The header is the leading block of // comments; the first line of code ends it.
    const QStringList lines = text.split(u'\n');
    for (const QString &raw : lines) {
        const QString line = raw.trimmed();
        if (line.isEmpty())
            continue;
        if (!line.startsWith(u"//"_s))
            break;
        const QString body = line.mid(2).trimmed();
        const qsizetype colon = body.indexOf(u':');
        if (colon <= 0)
            continue;
        const QString key = body.left(colon).trimmed().toLower();
        const QString value = body.mid(colon + 1).trimmed();
        if (key == u"title")
            example.title = value;
        else if (key == u"description")
            example.description = example.description.isEmpty() ? value : example.description + u' ' + value;
        else if (key == u"category")
            example.category = value;
        else if (key == u"requires") {
            QString v = value;
            if (v.startsWith(u"bpftrace"_s, Qt::CaseInsensitive))
                v = v.mid(8).trimmed();
            if (v.startsWith(u'v'))
                v = v.mid(1);
            example.minVersion = v;
        }
    }
    if (name.isEmpty() || example.title.isEmpty() || example.description.isEmpty() || example.category.isEmpty()
        || example.minVersion.isEmpty())
        return std::nullopt;
    return example;
}

const QList<Example> &ExampleLibrary::all()
{
    static const QList<Example> examples = [] {
        QList<Example> list;
        const QDir dir(u":/examples"_s);
        const QStringList files = dir.entryList({ u"*.bt"_s }, QDir::Files, QDir::Name);
        for (const QString &fileName : files) {
            QFile file(dir.filePath(fileName));
            if (!file.open(QIODevice::ReadOnly))
                continue;
            const QString name = QFileInfo(fileName).completeBaseName();
            if (auto example = parse(name, QString::fromUtf8(file.readAll())))
                list.append(*example);
        }
        std::sort(list.begin(), list.end(), [](const Example &a, const Example &b) { return a.name < b.name; });
        return list;
    }();
    return examples;
}

std::optional<Example> ExampleLibrary::find(const QString &name)
{
    for (const Example &example : all()) {
        if (example.name == name)
            return example;
    }
    return std::nullopt;
}
