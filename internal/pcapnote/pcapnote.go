// Package pcapnote says, in Korean, why a run has no pcap to download. It
// is not in internal/stage: the page shows the message as HTML, so the
// stage's font need not carry its letters.
package pcapnote

import (
	"fmt"

	"connlab/engine"
	"connlab/internal/stage"
)

// Problem says, in Korean, why the run's pcap download would not be
// the whole capture (engine.Trace.CheckPCAP), or "" when it can be
// downloaded. The page shows it instead of saving an empty file.
func Problem(t *engine.Trace) string {
	err := t.CheckPCAP()
	switch {
	case err == nil:
		return ""
	case t.Bulk:
		return fmt.Sprintf("이 실행은 커넥션이 %s개나 되어 패킷을 하나하나 기록하지 않았습니다. pcap에는 모든 패킷이 있어야 하니, 설정에서 커넥션 수를 %s개 이하로 줄인 뒤 pcap을 내려받으세요.",
			stage.Thousands(int64(t.Config.Conns)), stage.Thousands(int64(t.BulkLimit())))
	default:
		return fmt.Sprintf("이 시나리오에는 캡처 지점 %s가 없어 pcap을 만들 수 없습니다. 주소의 capture= 값을 client, server, proxy 가운데 시나리오에 있는 것으로 바꾸세요.", t.Config.Capture)
	}
}
