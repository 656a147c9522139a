// SPDX-License-Identifier: GPL-2.0-or-later
// Approvals for a headless instance started at a terminal: each client request is shown there
// and the person approves, denies (with a message) or edits it.
#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QStringList>

class ApprovalQueue;
class QProcess;
class QSocketNotifier;
class QTemporaryFile;
class Run;

/// Reads the person's answers from a file descriptor without ever blocking the event loop
/// (QSocketNotifier), one request at a time in arrival order. Requests that expire or are decided
/// elsewhere while shown or queued are announced and skipped.
///
/// Answers: a (approve), s (approve this script for the client's session), d (deny; a message
/// line follows), e (edit in $VISUAL/$EDITOR, or inline when none is set), i (edit inline: type
/// the new script, end with a line holding only "."), v (show the request again). A high-risk
/// request is approved only by typing "approve high" in full, and never for the session. Any
/// answer may end with the request id it is meant for ("a run-1f2e..."); an answer naming another
/// request decides nothing.
///
/// Client text is inert here: every control and bidi character of the client's name, version,
/// reason and script is printed as an escape (InertText), and each script line carries a
/// "  N | " prefix, so nothing a client sends can move the cursor or pass for the prompt's own
/// lines. An answer is only ever applied to the request the person saw: when the shown request
/// changes, whatever was typed before (buffered, still in the terminal, or further lines of the
/// same read) is discarded, and an answer arriving within the arm delay of a new request being
/// shown is refused.
class TerminalApprover : public QObject
{
    Q_OBJECT
public:
    TerminalApprover(ApprovalQueue *queue, int inputFd, int outputFd, QObject *parent = nullptr);
    ~TerminalApprover() override;

    /// The editor command for "e"; default $VISUAL, then $EDITOR; empty: inline entry.
    void setEditor(const QString &editor) { m_editor = editor; }
    /// How long after a request is shown before an answer to it counts (default 1000 ms): a line
    /// already on its way when the request changed was meant for another one.
    void setArmDelayMs(int ms) { m_armDelayMs = ms; }
    /// Starts reading and shows requests already pending.
    void start();

    /// Requests waiting behind the one shown.
    int queuedCount() const { return int(m_queue.size()); }
    QString currentRunId() const;

Q_SIGNALS:
    /// The input ended (terminal closed); nothing more will be decided here.
    void inputClosed();

private:
    enum class Stage
    {
        Idle,
        Choice,
        DenyMessage,
        InlineScript,
        Editing,
        ConfirmEdit
    };

    void onRequestAdded(Run *run);
    void onRequestResolved(Run *run);
    void showNext();
    /// After a decision: shows `run`, the request a refused decision was for, again while it
    /// still waits; else (null) the next request.
    void showAgainOrNext(Run *run);
    void showRequest(Run *run);
    void readInput();
    void handleLine(const QString &line);
    void startEditor();
    void editorFinished();
    void offerEdited(const QString &script);
    void approveEdited();
    void write(const QString &text);
    void prompt();
    void discardTypedAhead();
    bool isHighRisk(const Run *run) const;
    /// The edit of a high-risk request, or an edit that is itself high risk, takes the phrase.
    bool editNeedsSecondStep() const;

    ApprovalQueue *m_approvals;
    int m_inputFd;
    int m_outputFd;
    QString m_editor;
    QSocketNotifier *m_notifier = nullptr;
    QByteArray m_pendingInput;
    QList<QPointer<Run>> m_queue;
    QPointer<Run> m_current;
    Stage m_stage = Stage::Idle;
    QStringList m_inlineLines;
    QString m_editedScript;
    QProcess *m_editorProcess = nullptr;
    QTemporaryFile *m_editFile = nullptr;
    bool m_closed = false;
    int m_armDelayMs = 1000;
    QElapsedTimer m_shownSince;
    QString m_refusalShownFor; ///< the request whose "can only be denied" the prompt has said
    quint64 m_shownGeneration = 0; ///< bumped whenever the request an answer would apply to changes
    QMetaObject::Connection m_analysisConnection;
};
