// SPDX-License-Identifier: GPL-2.0-or-later
#include "app/terminalapprover.h"

#include "engine/analysissummary.h"
#include "engine/approvalqueue.h"
#include "engine/inerttext.h"
#include "engine/run.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QLoggingCategory>
#include <QProcess>
#include <QSocketNotifier>
#include <QTemporaryFile>
#include <QTimer>

#include <cerrno>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcTerminalApprover, "tracedesk.app.terminal", QtWarningMsg)

namespace {

constexpr int MaxInlineLines = 10000;
// Enough to recognise what it attaches to; a wildcard can expand to thousands.
constexpr int ProbesShown = 20;

// The prompt's own answer for a high-risk approval: typed in full, it cannot be a reflex.
constexpr auto ApproveHigh = "approve high"_L1;

// Client text on one line: escaped, so it can neither break the line nor rewrite the screen.
QString inert(const QString &text)
{
    return InertText::line(text);
}

// Every script line behind a "  N | " prefix, its content inert: a script line can never pass for
// one of the prompt's own lines.
QString numbered(const QString &script)
{
    QString text;
    const QStringList lines = script.split(u'\n');
    const int width = int(QString::number(lines.size()).size());
    for (int i = 0; i < lines.size(); ++i) {
        if (i == lines.size() - 1 && lines.at(i).isEmpty())
            break;
        text += u"  "_s + QString::number(i + 1).rightJustified(width) + u" | "_s + InertText::block(lines.at(i))
            + u'\n';
    }
    return text;
}

} // namespace

TerminalApprover::TerminalApprover(ApprovalQueue *queue, int inputFd, int outputFd, QObject *parent)
    : QObject(parent)
    , m_approvals(queue)
    , m_inputFd(inputFd)
    , m_outputFd(outputFd)
{
    m_editor = qEnvironmentVariable("VISUAL");
    if (m_editor.isEmpty())
        m_editor = qEnvironmentVariable("EDITOR");
}

TerminalApprover::~TerminalApprover() = default;

QString TerminalApprover::currentRunId() const
{
    return m_current ? m_current->id() : QString();
}

void TerminalApprover::start()
{
    connect(m_approvals, &ApprovalQueue::requestAdded, this, &TerminalApprover::onRequestAdded);
    connect(m_approvals, &ApprovalQueue::requestResolved, this, &TerminalApprover::onRequestResolved);
    connect(m_approvals, &ApprovalQueue::targetsChanged, this, [this] {
        // The target of the request on screen went: say so at once, with what is left to do (an
        // edit under way hears it when it is offered). Once: later changes elsewhere say nothing.
        if (m_stage != Stage::Choice || !m_current || m_refusalShownFor == m_current->id()
            || m_approvals->launchRefusal(m_current).isEmpty())
            return;
        write(u"\nThe targets changed while request %1 was shown.\n"_s.arg(m_current->id()));
        prompt();
    });
    m_notifier = new QSocketNotifier(m_inputFd, QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &TerminalApprover::readInput);
    const QList<Run *> pending = m_approvals->pending();
    for (Run *run : pending)
        m_queue.append(run);
    showNext();
}

void TerminalApprover::onRequestAdded(Run *run)
{
    m_queue.append(run);
    // The queue may settle the request within the same call (session allow, policy), so look
    // at it once that is over.
    QTimer::singleShot(0, this, [this] {
        if (m_stage == Stage::Idle)
            showNext();
        else if (m_current)
            write(u"(another request is waiting: %1 queued)\n"_s.arg(m_queue.size()));
    });
}

void TerminalApprover::onRequestResolved(Run *run)
{
    if (run == m_current && m_stage != Stage::Idle) {
        // Expired, or decided somewhere else, while the person was looking at it.
        const bool expired = run->state() == RunState::Expired;
        write(expired ? u"\nRequest %1 expired before a decision; the client is told it was not run.\n"_s.arg(run->id())
                      : u"\nRequest %1 was settled elsewhere (%2).\n"_s.arg(run->id(), decisionName(run->decision())));
        if (m_editorProcess) {
            m_editorProcess->disconnect(this);
            m_editorProcess->kill();
            m_editorProcess->deleteLater();
            m_editorProcess = nullptr;
        }
        m_current = nullptr;
        m_stage = Stage::Idle;
        m_inlineLines.clear();
        QTimer::singleShot(0, this, &TerminalApprover::showNext);
        return;
    }
    m_queue.removeAll(run);
}

void TerminalApprover::showNext()
{
    if (m_stage != Stage::Idle || m_closed)
        return;
    while (!m_queue.isEmpty()) {
        Run *run = m_queue.takeFirst();
        if (run && run->state() == RunState::PendingApproval) {
            showRequest(run);
            return;
        }
    }
}

void TerminalApprover::showAgainOrNext(Run *run)
{
    // A refused decision (`run`, null after one that went through) leaves its request waiting:
    // it is shown again, with what can be done now, not dropped while the client waits on it.
    if (run && run->state() == RunState::PendingApproval && m_stage == Stage::Idle && !m_closed) {
        showRequest(run);
        return;
    }
    showNext();
}

void TerminalApprover::showRequest(Run *run)
{
    m_current = run;
    m_stage = Stage::Choice;
    // Whatever was typed so far was typed before this request was on the screen.
    discardTypedAhead();
    disconnect(m_analysisConnection);
    m_analysisConnection = connect(run, &Run::analysisChanged, this, [this, run] {
        if (run == m_current && m_stage == Stage::Choice) {
            write(u"\nAnalysis updated for %1:\n"_s.arg(run->id())
                + AnalysisSummary::report(run->analysis(), ProbesShown));
            prompt();
        }
    });

    QString text = u"\n=== Request %1 from %2"_s.arg(run->id(), inert(run->client().displayName()));
    if (!run->client().transport.isEmpty())
        text += u" (via %1)"_s.arg(inert(run->client().transport));
    text += u" ===\n"_s;
    text += u"Reason: "_s + (run->reason().isEmpty() ? u"(none given)"_s : inert(run->reason())) + u'\n';
    if (run->timeoutSeconds())
        text += u"Runs for at most %1 s\n"_s.arg(*run->timeoutSeconds());
    if (run->isFleet()) {
        // One decision covers exactly these targets: each is listed with what its own bpftrace found.
        text += u"Targets (%1, one decision for all):\n"_s.arg(run->hostRuns().size());
        for (const Run *host : run->hostRuns())
            text += u"  "_s + AnalysisSummary::target(inert(host->targetName()), host->analysis()) + u'\n';
    } else {
        text += u"Target: "_s + (run->target().isEmpty() ? u"local (this machine)"_s : inert(run->target())) + u'\n';
    }
    text += u"Script:\n"_s + numbered(run->script());
    text += AnalysisSummary::report(run->analysis(), ProbesShown);
    const QDateTime expires = m_approvals->expiresAt(run->id());
    if (expires.isValid())
        text += u"Expires in %1 s.\n"_s.arg(qMax<qint64>(0, QDateTime::currentDateTimeUtc().secsTo(expires)));
    if (!m_queue.isEmpty())
        text += tr("%n more requests waiting.", "", int(m_queue.size())) + u'\n';
    write(text);
    m_shownSince.start();
    prompt();
}

bool TerminalApprover::isHighRisk(const Run *run) const
{
    return run && run->analysis().risk == RiskLevel::High;
}

bool TerminalApprover::editNeedsSecondStep() const
{
    return isHighRisk(m_current) || ScriptAnalyzer::analyzeText(m_editedScript).risk == RiskLevel::High;
}

void TerminalApprover::discardTypedAhead()
{
    ++m_shownGeneration;
    qsizetype discarded = m_pendingInput.size();
    m_pendingInput.clear();
    if (!m_closed) {
        int waiting = 0;
        if (::ioctl(m_inputFd, FIONREAD, &waiting) == 0 && waiting > 0)
            discarded += waiting;
        if (::isatty(m_inputFd)) {
            // A terminal's queue, a half-typed line included, goes in one call.
            ::tcflush(m_inputFd, TCIFLUSH);
        } else {
            // A pipe: read off exactly what is there, never blocking.
            QByteArray sink(waiting, Qt::Uninitialized);
            while (waiting > 0) {
                const ssize_t n = ::read(m_inputFd, sink.data(), size_t(waiting));
                if (n < 0 && errno == EINTR)
                    continue;
                if (n <= 0)
                    break;
                waiting -= int(n);
            }
        }
    }
    if (discarded > 0)
        write(u"(Discarded input typed before this request was shown.)\n"_s);
}

void TerminalApprover::prompt()
{
    switch (m_stage) {
    case Stage::Choice:
        if (const QString refusal = m_current ? m_approvals->launchRefusal(m_current) : QString(); !refusal.isEmpty()) {
            // Nothing but a denial can be given: the queue would refuse every approval.
            m_refusalShownFor = m_current->id();
            write(u"%1\n[d]eny, [v]iew again > "_s.arg(inert(refusal)));
        } else if (isHighRisk(m_current)) {
            write(u"HIGH RISK: type \"%1\" in full to approve %2, [d]eny, [e]dit, edit [i]nline, [v]iew again > "_s.arg(
                ApproveHigh, m_current->id()));
        } else {
            const bool session = m_current && ApprovalQueue::sessionAllowRefusal(m_current).isEmpty();
            write(u"[a]pprove%1, [d]eny, [e]dit, edit [i]nline, [v]iew again > "_s.arg(
                session ? u", approve for this [s]ession"_s : QString()));
        }
        break;
    case Stage::DenyMessage:
        write(u"Message for the client (empty for none) > "_s);
        break;
    case Stage::InlineScript:
        write(u"Type the new script; end with a line holding only \".\":\n"_s);
        break;
    case Stage::ConfirmEdit:
        if (editNeedsSecondStep())
            write(u"HIGH RISK: type \"%1\" in full to run the edited script of %2, [n]o (back to the request) > "_s.arg(
                ApproveHigh, m_current ? m_current->id() : QString()));
        else
            write(u"Run the edited script? [y]es, [n]o (back to the request) > "_s);
        break;
    case Stage::Editing:
    case Stage::Idle:
        break;
    }
}

void TerminalApprover::readInput()
{
    char buffer[4096];
    ssize_t n;
    do {
        n = ::read(m_inputFd, buffer, sizeof buffer);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return;
        qCWarning(lcTerminalApprover) << "reading the terminal failed:" << qt_error_string(errno);
        n = 0;
    }
    if (n == 0) {
        m_closed = true;
        m_notifier->setEnabled(false);
        Q_EMIT inputClosed();
        return;
    }
    m_pendingInput.append(buffer, n);
    // Several answers may arrive in one read (typed ahead, or a pipe): each line in turn, as long
    // as they answer the request they were typed for. Showing another one discards the rest.
    qsizetype newline;
    while ((newline = m_pendingInput.indexOf('\n')) >= 0) {
        QByteArray line = m_pendingInput.left(newline);
        m_pendingInput.remove(0, newline + 1);
        if (line.endsWith('\r'))
            line.chop(1);
        const quint64 generation = m_shownGeneration;
        handleLine(QString::fromUtf8(line));
        if (generation != m_shownGeneration && !m_pendingInput.isEmpty()) {
            m_pendingInput.clear();
            write(u"(Discarded input typed before this request was shown.)\n"_s);
        }
    }
    if (m_pendingInput.size() > 1024 * 1024)
        m_pendingInput.clear(); // a runaway line without newline; nobody types that much
}

void TerminalApprover::handleLine(const QString &line)
{
    QString error;
    switch (m_stage) {
    case Stage::Idle:
        if (!line.trimmed().isEmpty())
            write(u"No request is waiting.\n"_s);
        return;
    case Stage::Editing:
        return; // the editor owns the terminal
    case Stage::Choice: {
        QString answer = line.trimmed().toLower();
        if (answer.isEmpty()) {
            prompt();
            return;
        }
        // An answer may name the request it is for ("a run-1f2e..."); then it must be the one shown.
        if (const qsizetype space = answer.lastIndexOf(u' ');
            space > 0 && answer.mid(space + 1).startsWith("run-"_L1)) {
            const QString named = answer.mid(space + 1);
            answer = answer.left(space).trimmed();
            if (named != m_current->id().toLower()) {
                write(u"That answer names %1, but the request shown is %2; nothing was decided.\n"_s.arg(
                    named, m_current->id()));
                prompt();
                return;
            }
        }
        if (m_armDelayMs > 0 && m_shownSince.isValid() && m_shownSince.elapsed() < m_armDelayMs) {
            write(u"Ignored \"%1\": it came right as request %2 was shown and may have been meant for another "
                  "one. Read the request, then answer.\n"_s.arg(answer, m_current->id()));
            prompt();
            return;
        }
        const bool denyOrView
            = answer == "d"_L1 || answer == "deny"_L1 || answer == "n"_L1 || answer == "v"_L1 || answer == "view"_L1;
        if (!denyOrView && !m_approvals->launchRefusal(m_current).isEmpty()) {
            // Nothing else can be decided: the queue would refuse any approval, edited or not.
            write(u"Only a denial is possible for request %1.\n"_s.arg(m_current->id()));
            prompt();
            return;
        }
        const bool approveAnswer = answer == "a"_L1 || answer == "approve"_L1 || answer == "y"_L1;
        const bool approving = approveAnswer || answer == ApproveHigh || answer == "s"_L1 || answer == "session"_L1;
        if (approving && m_approvals->analyzes() && !m_current->analysis().complete) {
            // The risk to decide on is bpftrace's; the quick text rating is not it.
            write(
                u"bpftrace is still checking request %1; its analysis follows, then answer.\n"_s.arg(m_current->id()));
            prompt();
        } else if (approveAnswer && isHighRisk(m_current)) {
            write(u"Request %1 is high risk: type \"%2\" in full to approve it.\n"_s.arg(m_current->id(), ApproveHigh));
            prompt();
        } else if (approveAnswer || answer == ApproveHigh) {
            Run *run = m_current;
            m_stage = Stage::Idle;
            m_current = nullptr;
            const bool ok = m_approvals->approve(run->id(), &error);
            if (ok)
                write(u"Approved %1 from %2.\n"_s.arg(run->id(), inert(run->client().displayName())));
            else
                write(u"Could not approve: %1\n"_s.arg(inert(error)));
            showAgainOrNext(ok ? nullptr : run);
        } else if (answer == "s"_L1 || answer == "session"_L1) {
            Run *run = m_current;
            if (const QString refusal = ApprovalQueue::sessionAllowRefusal(run); !refusal.isEmpty()) {
                write(u"Not allowed for the session: %1\n"_s.arg(refusal));
                prompt();
                return;
            }
            m_stage = Stage::Idle;
            m_current = nullptr;
            const bool ok = m_approvals->approveForSession(run->id(), &error);
            if (ok)
                write(u"Approved %1; identical requests from %2 run without asking.\n"_s.arg(
                    run->id(), inert(run->client().displayName())));
            else
                write(u"Could not approve: %1\n"_s.arg(inert(error)));
            showAgainOrNext(ok ? nullptr : run);
        } else if (answer == "d"_L1 || answer == "deny"_L1 || answer == "n"_L1) {
            m_stage = Stage::DenyMessage;
            prompt();
        } else if (answer == "e"_L1 || answer == "edit"_L1) {
            if (m_editor.isEmpty()) {
                m_stage = Stage::InlineScript;
                m_inlineLines.clear();
                write(u"No $VISUAL or $EDITOR set: editing inline.\n"_s);
                prompt();
            } else {
                startEditor();
            }
        } else if (answer == "i"_L1 || answer == "inline"_L1) {
            m_stage = Stage::InlineScript;
            m_inlineLines.clear();
            prompt();
        } else if (answer == "v"_L1 || answer == "view"_L1) {
            Run *run = m_current;
            showRequest(run);
        } else {
            if (!answer.isEmpty())
                write(u"Unknown answer '%1'.\n"_s.arg(answer));
            prompt();
        }
        return;
    }
    case Stage::DenyMessage: {
        Run *run = m_current;
        m_stage = Stage::Idle;
        m_current = nullptr;
        const QString message = line.trimmed().isEmpty() ? u"Denied by the person at the terminal."_s : line.trimmed();
        const bool ok = m_approvals->deny(run->id(), message, &error);
        if (ok)
            write(u"Denied %1 from %2.\n"_s.arg(run->id(), inert(run->client().displayName())));
        else
            write(u"Could not deny: %1\n"_s.arg(inert(error)));
        showAgainOrNext(ok ? nullptr : run);
        return;
    }
    case Stage::InlineScript:
        if (line == "."_L1) {
            QString script = m_inlineLines.join(u'\n');
            if (!script.isEmpty())
                script += u'\n';
            m_inlineLines.clear();
            offerEdited(script);
        } else if (m_inlineLines.size() < MaxInlineLines) {
            m_inlineLines.append(line);
        }
        return;
    case Stage::ConfirmEdit: {
        const QString answer = line.trimmed().toLower();
        const bool yes = answer == "y"_L1 || answer == "yes"_L1;
        if (yes && editNeedsSecondStep()) {
            // As in the window: an edit of a high-risk request, or an edit that is itself high
            // risk, is approved only by typing the phrase, never by a single key.
            write(u"The edited script of %1 is high risk or edits a high-risk request: type \"%2\" in full to run "
                  "it.\n"_s.arg(m_current->id(), ApproveHigh));
            prompt();
        } else if (yes || answer == ApproveHigh) {
            approveEdited();
        } else if (answer == "n"_L1 || answer == "no"_L1) {
            m_stage = Stage::Choice;
            prompt();
        } else {
            prompt();
        }
        return;
    }
    }
}

void TerminalApprover::startEditor()
{
    delete m_editFile;
    m_editFile = new QTemporaryFile(QDir::tempPath() + u"/tracedesk-edit-XXXXXX.bt"_s, this);
    if (!m_editFile->open()) {
        write(u"Cannot create a file to edit (%1); editing inline.\n"_s.arg(m_editFile->errorString()));
        m_stage = Stage::InlineScript;
        m_inlineLines.clear();
        prompt();
        return;
    }
    m_editFile->write(m_current->script().toUtf8());
    m_editFile->flush();

    // $EDITOR may carry arguments ("code --wait"); split it like a shell would, without a shell.
    QStringList command = QProcess::splitCommand(m_editor);
    command.append(m_editFile->fileName());
    m_stage = Stage::Editing;
    m_notifier->setEnabled(false); // the editor reads the terminal now
    m_editorProcess = new QProcess(this);
    m_editorProcess->setProcessChannelMode(QProcess::ForwardedChannels);
    m_editorProcess->setInputChannelMode(QProcess::ForwardedInputChannel);
    connect(m_editorProcess, &QProcess::finished, this, &TerminalApprover::editorFinished);
    connect(m_editorProcess, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart)
            editorFinished();
    });
    m_editorProcess->start(command.takeFirst(), command);
}

void TerminalApprover::editorFinished()
{
    if (!m_editorProcess)
        return;
    const bool ok = m_editorProcess->exitStatus() == QProcess::NormalExit && m_editorProcess->exitCode() == 0
        && m_editorProcess->error() != QProcess::FailedToStart;
    const QString failure = m_editorProcess->errorString();
    m_editorProcess->deleteLater();
    m_editorProcess = nullptr;
    m_notifier->setEnabled(!m_closed);
    if (!m_current)
        return;
    if (!ok) {
        write(u"The editor '%1' failed (%2); the request is unchanged.\n"_s.arg(m_editor, failure));
        m_stage = Stage::Choice;
        prompt();
        return;
    }
    QFile edited(m_editFile->fileName());
    if (!edited.open(QIODevice::ReadOnly)) {
        write(u"Cannot read the edited file: %1\n"_s.arg(edited.errorString()));
        m_stage = Stage::Choice;
        prompt();
        return;
    }
    offerEdited(QString::fromUtf8(edited.readAll()));
}

void TerminalApprover::offerEdited(const QString &script)
{
    if (script.trimmed().isEmpty()) {
        write(u"The edited script is empty; the request is unchanged.\n"_s);
        m_stage = Stage::Choice;
        prompt();
        return;
    }
    if (!m_approvals->launchRefusal(m_current).isEmpty()) {
        // The target went while the script was edited: no edit can run now.
        write(u"The edit is dropped: request %1 can only be denied now.\n"_s.arg(m_current->id()));
        m_stage = Stage::Choice;
        prompt();
        return;
    }
    m_editedScript = script;
    const ScriptAnalysis analysis = ScriptAnalyzer::analyzeText(script);
    write(u"Edited script:\n"_s + numbered(script) + AnalysisSummary::report(analysis, ProbesShown));
    m_stage = Stage::ConfirmEdit;
    prompt();
}

void TerminalApprover::approveEdited()
{
    Run *run = m_current;
    m_stage = Stage::Idle;
    m_current = nullptr;
    QString error;
    const bool ok = m_approvals->approveEdited(run->id(), m_editedScript, &error);
    if (ok)
        write(u"Approved %1 with your edits; the client is told the script was changed.\n"_s.arg(run->id()));
    else
        write(u"Could not approve: %1\n"_s.arg(inert(error)));
    m_editedScript.clear();
    showAgainOrNext(ok ? nullptr : run);
}

void TerminalApprover::write(const QString &text)
{
    // Client text is made inert where it is put in; this is the net under it: nothing written
    // here carries a control or bidi character other than line breaks and tabs.
    // Short writes to a terminal; a blocked terminal is the person's own doing.
    QByteArray bytes = InertText::block(text).toUtf8();
    while (!bytes.isEmpty()) {
        const ssize_t n = ::write(m_outputFd, bytes.constData(), size_t(bytes.size()));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        bytes.remove(0, n);
    }
}
