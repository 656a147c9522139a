// SPDX-License-Identifier: GPL-2.0-or-later
// A run's live output: follow-tail, search, a dropped-lines notice and export.
#pragma once

#include <QWidget>

class OutputModel;
class Run;
class QCheckBox;
class QLabel;
class QLineEdit;
class QListView;
class QToolButton;

class OutputView : public QWidget
{
    Q_OBJECT
public:
    explicit OutputView(QWidget *parent = nullptr);

    void setRun(Run *run);
    OutputModel *model() const { return m_model; }
    QListView *view() const { return m_view; }

    void setFollowTail(bool follow);
    bool followTail() const;
    /// The visible notice ("1,234 earlier lines dropped…"); empty when nothing was dropped.
    QString droppedNotice() const;

    /// Selects the next/previous line containing the search text (case-insensitive), wrapping.
    bool findNext();
    bool findPrevious();
    QLineEdit *searchEdit() const { return m_search; }

    /// Writes every line the run still keeps (not only the view's) to a file.
    static bool exportOutput(const Run *run, const QString &path, QString *error);

private:
    bool find(bool forward);
    void updateNotice(qint64 dropped);

    OutputModel *m_model;
    QListView *m_view;
    QCheckBox *m_follow;
    QLineEdit *m_search;
    QToolButton *m_previous;
    QToolButton *m_next;
    QLabel *m_notice;
    QLabel *m_searchStatus;
};
