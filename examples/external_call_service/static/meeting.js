// The meeting page inside Talk's iframe. It tells the Talk window (and only that origin) when the
// local user joins or leaves; Talk closes the iframe on externalCallLeft.
const meeting = document.getElementById('meeting')
const talkOrigin = meeting.dataset.talkOrigin
const status = document.getElementById('status')

function notify(type, text) {
	if (window.parent === window) {
		status.textContent = `${text} (not inside Talk: nothing to tell)`
		return
	}
	window.parent.postMessage({ type }, talkOrigin)
	status.textContent = text
}

document.getElementById('join').addEventListener('click', () => notify('externalCallJoined', 'Joined.'))
document.getElementById('leave').addEventListener('click', () => notify('externalCallLeft', 'Left.'))

// The seed's other way to close the call. window.frameElement is null unless this page has the
// same origin as the Talk page, so from another origin only postMessage can close the iframe.
document.getElementById('remove').addEventListener('click', () => {
	const frame = window.frameElement
	if (frame === null) {
		status.textContent = 'Cannot remove the frame from another origin: use Leave.'
		return
	}
	frame.remove()
})
